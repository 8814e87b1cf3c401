// Small DOM helpers for the page: typed lookups that fail loudly when the
// markup and the code disagree.

/** The element with `id`, checked to be an instance of `type`. */
export function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`page markup: #${id} is missing or not a ${type.name}`);
  return el;
}

/** Sets `data-<name>` on `el` only when it changes (cheap to call every frame). */
export function setData(el: HTMLElement, name: string, value: string | number): void {
  const v = String(value);
  if (el.dataset[name] !== v) el.dataset[name] = v;
}

/** Sets `textContent` only when it changes, so live regions announce real changes only. */
export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

/** True when keyboard focus is in a control that takes typing (shortcuts must not fire there). */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !['button', 'checkbox', 'radio', 'range', 'submit', 'reset'].includes(target.type);
  return false;
}
