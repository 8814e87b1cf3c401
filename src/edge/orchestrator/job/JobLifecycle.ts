// A job's life outside dispatch: creation (with the long-text paging), the
// alarm's schedule, expiry and deletion. Dispatch lives in ChunkDispatcher.
import type { JobStatus, SplittingPreference } from '../../../core/api/types.ts';
import { LectorError } from '../../../core/errors.ts';
import { FIRST_PAGE_CHARS, PAGE_MAX_CHARS, PAGE_TARGET_CHARS, paginate, SPLIT_BUDGET_CHARS } from '../../../core/pages.ts';
import { assertJobTextSize } from '../../../core/text/split.ts';
import type { JobConfig } from './config.ts';
import { HAS_SPEAKABLE, planPage, planSsmlJob, voiceOf } from './chunkPlan.ts';
import { compileLexicon } from '../../../core/lexicon/lexicon.ts';
import { checkSpeed } from '../../../core/speech-plan.ts';
import { type JobEvents, TERMINAL } from './JobEvents.ts';
import type { JobStore, SourcePage } from './JobStore.ts';
import { BookStore } from './BookStore.ts';
import { type BookInput, chapterPages, readNextSection } from './BookSource.ts';

export interface InitializeJobParams {
  jobId: string;
  text: string;
  voiceId: string;
  model?: string | null;
  splittingPreference: SplittingPreference;
  maxTokens?: number;
  /** The voice's provider: most characters per chunk (backend `voiceLimits().maxChars`). */
  providerMaxChars?: number;
  /** The voice's provider: most chunks in flight (backend `voiceLimits().maxConcurrency`). */
  providerMaxConcurrency?: number;
  /** The API key that started the job (its usage slot is released when the job ends); null = open mode. */
  ownerKeyId?: string | null;
  /** Internal (tests, benchmarks): chunks in flight instead of JOB_CONCURRENCY. */
  concurrency?: number;
  /** Internal (tests, chaos runs): attempts per chunk instead of JOB_MAX_ATTEMPTS. */
  maxAttempts?: number;
  /** Internal (tests): false leaves the job to be driven by hand through the lease RPCs. Default true. */
  autoStart?: boolean;
  /** Internal (tests): largest grown chunk in characters; 0 keeps every chunk within a paragraph and 250 characters. */
  growChars?: number;
  /** Internal (tests, benchmarks): use this per-chunk timeout instead of the formula. */
  chunkTimeoutOverrideMs?: number;
  /** Speed 0.25–4 (docs/voice-control.md); default 1. */
  speed?: number;
  /** Pronunciation lexicon `[{ match, say }]`, applied to what the engine reads. */
  lexicon?: { match: string; say: string }[];
  /** `ssml`: `text` is SSML, planned whole at creation. */
  inputFormat?: 'ssml';
  /** The job is a book: chapters (or an EPUB read section by section), metadata, audio format. `text` is then ignored. */
  book?: BookInput;
}

export interface InitializedJob {
  jobId: string;
  status: JobStatus;
  /** Chunks in the job (each of one or more sentences); the seed's API name. */
  totalSentences: number;
  /** The largest per-chunk timeout; the seed's API name. */
  overallOrchestratorTimeoutMs: number;
}

export interface LifecycleDeps {
  store: JobStore;
  storage: DurableObjectStorage;
  bucket: R2Bucket;
  config: JobConfig;
  events: JobEvents;
  /** Dispatches the first chunks now instead of at the first alarm (the alarm stays the durable path). */
  startDispatch?(): void;
}

export class JobLifecycle {
  private readonly d: LifecycleDeps;
  /** create() calls waiting for the alarms to finish splitting a long text. */
  private readonly splitWaiters: (() => void)[] = [];
  private deleting: Promise<number> | undefined;
  /** Why reading the book failed while it was being split (an EPUB section that cannot be read). */
  private splitError: LectorError | undefined;

  private readonly book: BookStore;

  constructor(deps: LifecycleDeps) {
    this.d = deps;
    this.book = new BookStore(deps.storage.sql);
  }

  /** Stores a new job and starts its alarm; waits until every page is split. Throws LectorError. */
  async create(params: InitializeJobParams): Promise<InitializedJob> {
    const { store, config } = this.d;
    if (store.job()) throw new LectorError('job_exists', 409, `job ${params.jobId} already exists`);
    const book = params.book;
    const text = book ? (book.text ?? (book.chapters ?? []).map((c) => c.text).join('\n\n')) : params.text;
    const ssml = params.inputFormat === 'ssml' && !book;
    assertJobTextSize(text);
    if (!book?.epub && !HAS_SPEAKABLE.test(text)) throw new LectorError('empty_text', 400, 'text has nothing to speak');
    // A long text is split a budget of pages per invocation so none spends more than a few ms of CPU;
    // a book's pages never span two chapters, and an EPUB's pages come one section per alarm.
    const pages = book?.chapters ? chapterPages(book.chapters) : ssml ? [{ text, continuesParagraph: false, chapter: 0 }] : paginate(text, PAGE_TARGET_CHARS, PAGE_MAX_CHARS, FIRST_PAGE_CHARS).map((p) => ({ ...p, chapter: 0 }));
    if (pages.length === 0) pages.push({ text: '', continuesParagraph: false, chapter: 0 });
    const speed = checkSpeed(params.speed);
    const lexiconJson = params.lexicon !== undefined && params.lexicon.length > 0 ? JSON.stringify(params.lexicon) : null;
    if (lexiconJson !== null) compileLexicon(params.lexicon); // 400 before anything is stored
    const voice = voiceOf({ speed, lexicon: lexiconJson, voice_id: params.voiceId });
    const plan = {
      ...(voice ? { voice } : {}),
      splitting: params.splittingPreference,
      maxTokens: params.maxTokens ?? null,
      maxChars: params.providerMaxChars ?? null,
      growChars: params.growChars ?? null,
      timeoutOverrideMs: params.chunkTimeoutOverrideMs ?? null,
    };
    const first = ssml ? planSsmlJob(text, plan, params.voiceId) : planPage(pages[0]!.text, { ...plan, chunksSoFar: 0, continues: false });
    if (pages.length === 1 && first.length === 0 && !book?.epub) throw new LectorError('empty_text', 400, 'text has nothing to speak');
    const now = Date.now();
    store.createJob(
      {
        jobId: params.jobId,
        voiceId: params.voiceId,
        model: params.model ?? null,
        splitting: params.splittingPreference,
        textChars: text.length,
        overallTimeoutMs: 0,
        concurrency: Math.min(params.concurrency ?? config.concurrency, params.providerMaxConcurrency ?? Infinity),
        maxAttempts: params.maxAttempts ?? config.maxAttempts,
        now,
        expiresAt: now + config.ttlSeconds * 1000,
        ownerKeyId: params.ownerKeyId ?? null,
        maxTokens: plan.maxTokens,
        timeoutOverrideMs: plan.timeoutOverrideMs,
        maxChars: plan.maxChars,
        growChars: plan.growChars,
        speed,
        lexicon: lexiconJson,
        inputFormat: ssml ? 'ssml' : null,
      },
      first,
      pages.slice(1),
    );
    if (book) {
      this.book.create({
        title: book.title,
        author: book.author,
        audioFormat: book.audioFormat,
        assemble: book.assemble !== false,
        ...(book.epub ? { epubKey: book.epub.key, sectionsTotal: book.epub.sections, selection: book.epub.selection } : {}),
        cover: book.cover ?? null,
        chapters: book.epub ? book.epub.chapters : (book.chapters ?? []).map((c) => ({ index: c.index, title: c.title })),
      });
      pages.forEach((p, i) => this.book.mapPage(i, p.chapter));
      this.book.extendChapter(pages[0]!.chapter, 0, first.length);
    }
    if (params.autoStart === false) {
      while (this.splitNextPage()) {
        // Tests that drive leases by hand get the whole job at once.
      }
    } else {
      await this.d.storage.setAlarm(now);
      if (pages.length > 1 || book?.epub) {
        // The first page's chunks go out at once while the alarms split the rest (issue 12: first audio).
        store.openInput();
        this.d.startDispatch?.();
        // After one turn (the first chunks' dispatch goes out), the next pages within the budget
        // are split here and the alarms split the rest, a budget each; an EPUB's sections (read
        // from R2) are the alarms' alone. One page per alarm, the novel's stream opened after
        // 1.2-1.5 s; now 0.4-0.6 s (docs/benchmarks.md, "Session 5").
        if (!book?.epub) {
          await yieldToEvents();
          await this.splitWithin(SPLIT_BUDGET_CHARS);
        }
        await this.splitDone();
      } else {
        this.d.startDispatch?.();
      }
    }
    const job = store.job()!;
    // A book that could not be read while it was being split fails its creation with the reason.
    const splitError = this.splitError;
    if (splitError && job.total === 0) {
      await this.delete();
      throw splitError;
    }
    if (job.total === 0) {
      await this.delete();
      throw new LectorError('empty_text', 400, 'text has nothing to speak');
    }
    return { jobId: params.jobId, status: job.status, totalSentences: job.total, overallOrchestratorTimeoutMs: job.overall_timeout_ms };
  }

  /**
   * Splits the next waiting page; false when none is left. Wakes `create` waiters at the end.
   * `read` is that page as the caller just read it: it is used if it is still the next one
   * (an await between, as in tests that hold calls, may have let another invocation split it).
   */
  splitNextPage(read?: SourcePage | null): boolean {
    const { store } = this.d;
    const job = store.job();
    if (!job) return false;
    const page = read?.page === job.split_page ? read : store.nextPage();
    if (!page) return false;
    const voice = voiceOf(job);
    const chunks = planPage(page.text, {
      splitting: job.splitting,
      maxTokens: job.max_tokens,
      maxChars: job.max_chars,
      growChars: job.grow_chars,
      timeoutOverrideMs: job.timeout_override_ms,
      chunksSoFar: job.total,
      continues: page.continuesParagraph,
      ...(voice ? { voice } : {}),
    });
    store.appendPage(page.page, chunks, job.total, Date.now());
    const chapter = this.book.chapterOfPage(page.page);
    if (chapter !== null) this.book.extendChapter(chapter, job.total, chunks.length);
    // Pages are numbered from split_page up to pages - 1 (job row read above, nothing ran since).
    if (page.page + 1 >= job.pages && !this.book.nextSection()) this.splittingEnded();
    return true;
  }

  /** The whole input is in chunks: the job may complete now (its chunks may all be done already). */
  private splittingEnded(): void {
    this.d.store.closeInput(Date.now());
    this.d.events.settledIfTerminal();
    for (const wake of this.splitWaiters.splice(0)) wake();
  }

  /**
   * One bounded step of splitting: the next EPUB section read into pages, or
   * else the next page split into chunks. False when splitting is over.
   */
  async advanceSplitting(page?: SourcePage | null): Promise<boolean> {
    if (this.splitNextPage(page)) return true;
    try {
      if (!(await readNextSection(this.d.bucket, this.d.store, this.book))) return false;
    } catch (e) {
      // A section that cannot be read ends the job: its error says why.
      const message = e instanceof LectorError ? e.message : String(e);
      this.splitError = e instanceof LectorError ? e : new LectorError('epub_corrupt', 400, message);
      this.d.store.setJobStatus('failed', `reading the EPUB failed: ${message}`, Date.now());
      this.book.abandonSections();
      for (const wake of this.splitWaiters.splice(0)) wake();
      this.d.events.settledIfTerminal();
      return false;
    }
    if (this.inputAllSplit()) this.splittingEnded();
    return true;
  }

  /**
   * Splitting steps until the next page would take this invocation past `budgetChars` (at
   * least one step; an EPUB section read ends it). False when splitting was already over.
   * No yield between pages: locally every other event of the stack ran in those gaps, and
   * one alarm's split took over 100 ms instead of ~15. Each page's text is read once.
   */
  async splitWithin(budgetChars: number): Promise<boolean> {
    let chars = 0;
    for (let steps = 0; ; steps++) {
      const page = this.d.store.nextPage();
      if (steps > 0 && (!page || chars + page.text.length > budgetChars)) return true;
      if (!(await this.advanceSplitting(page))) return steps > 0;
      chars += page ? page.text.length : budgetChars;
    }
  }

  /** The book rows of this job (chapters, metadata). */
  get bookStore(): BookStore {
    return this.book;
  }

  /** No page waits to be split and no EPUB section to be read. */
  private inputAllSplit(): boolean {
    return !this.d.store.hasPageToSplit() && !this.book.nextSection();
  }

  private splitDone(): Promise<void> {
    if (this.inputAllSplit()) return Promise.resolve();
    return new Promise((resolve) => this.splitWaiters.push(resolve));
  }

  /** One alarm slot serves both next work and expiry: set it to the earlier. */
  async schedule(holdUntil: number): Promise<void> {
    const job = this.d.store.job();
    if (!job) return;
    let at = job.expires_at;
    if (!TERMINAL.has(job.status)) {
      const next = this.d.store.nextWorkAt();
      if (next !== null) at = Math.min(at, Math.max(next, holdUntil, Date.now()));
      // Input still to split: the next alarm splits it now, whatever the chunks wait for.
      if (job.input_open === 1 && !this.splitError) at = Date.now();
    }
    await this.d.storage.setAlarm(at);
  }

  /** Removes the job's audio from R2 and all its state. A concurrent second call reports nothing deleted. */
  async delete(): Promise<{ deleted: boolean; objects: number }> {
    if (this.deleting) {
      await this.deleting;
      return { deleted: false, objects: 0 };
    }
    const job = this.d.store.job();
    if (!job) return { deleted: false, objects: 0 };
    this.deleting = this.removeEverything(job.job_id, true);
    try {
      return { deleted: true, objects: await this.deleting };
    } finally {
      this.deleting = undefined;
    }
  }

  /** The job's time is up: its audio and state go, without a settlement (nobody is waiting for it). */
  async expire(jobId: string): Promise<void> {
    await this.removeEverything(jobId, false);
  }

  private async removeEverything(jobId: string, cancel: boolean): Promise<number> {
    if (cancel) {
      this.d.store.setJobStatus('cancelled', 'deleted', Date.now());
      this.d.events.settledIfTerminal();
    }
    const objects = await this.deleteAudio(jobId);
    this.d.events.jobRemoved(jobId);
    if (cancel) await this.d.storage.deleteAlarm();
    // Nothing is left behind: no tables are re-created until a job is created again.
    await this.d.storage.deleteAll();
    this.d.store.forget();
    return objects;
  }

  private async deleteAudio(jobId: string): Promise<number> {
    const bucket = this.d.bucket;
    let count = 0;
    let cursor: string | undefined;
    do {
      const list = await bucket.list({ prefix: `tts_audio/${jobId}/`, cursor, limit: 1000 });
      const keys = list.objects.map((o) => o.key);
      if (keys.length > 0) await bucket.delete(keys);
      count += keys.length;
      cursor = list.truncated ? list.cursor : undefined;
    } while (cursor);
    return count;
  }
}

/** Lets other events of this object (a dispatch's answer, an RPC) run before going on. */
function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
