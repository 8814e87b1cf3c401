// Page-wide shortcuts: Space or K pauses and resumes, ←/J and →/L move to the
// previous and next sentence. They stay out of the way while typing in the
// text box or a form field, and leave Space to buttons and links that have focus.
import { isTypingTarget } from './dom.ts';

export interface ShortcutActions {
  togglePlay(): void;
  previous(): void;
  next(): void;
}

export function installShortcuts(actions: ShortcutActions): () => void {
  const onKey = (e: KeyboardEvent): void => {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || isTypingTarget(e.target)) return;
    const onControl = e.target instanceof HTMLButtonElement || e.target instanceof HTMLAnchorElement;
    let action: (() => void) | undefined;
    switch (e.key) {
      case ' ':
        if (!onControl) action = actions.togglePlay;
        break;
      case 'k':
      case 'K':
        action = actions.togglePlay;
        break;
      case 'ArrowLeft':
      case 'j':
      case 'J':
        action = actions.previous;
        break;
      case 'ArrowRight':
      case 'l':
      case 'L':
        action = actions.next;
        break;
    }
    if (!action) return;
    e.preventDefault();
    action();
  };
  document.addEventListener('keydown', onKey);
  return () => document.removeEventListener('keydown', onKey);
}
