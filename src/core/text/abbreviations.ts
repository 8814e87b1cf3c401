// Abbreviations that Intl.Segmenter takes for sentence ends. ICU's sentence
// rules (UAX #29) break after "word. " whenever the next word is capitalized,
// so "Mr. Bennet" becomes two sentences. Only abbreviations that practically
// never end a sentence are listed here; ambiguous ones ("etc.", "a.m.",
// "Inc.", "Jr.") are left to ICU, which already keeps them when a lowercase
// word follows and splits when a capital follows ("at 5 p.m. The end.").
// Entries are lowercase, matched case-insensitively, with their final dot.

/** Titles and Latin abbreviations: always followed by more of the same sentence. */
export const NEVER_FINAL_ABBREVIATIONS: ReadonlySet<string> = new Set([
  'mr.', 'mrs.', 'ms.', 'messrs.', 'mmes.', 'mme.', 'mlle.', 'dr.', 'drs.', 'prof.', 'st.', 'ste.',
  'rev.', 'revd.', 'hon.', 'gen.', 'col.', 'capt.', 'cmdr.', 'lt.', 'sgt.', 'maj.', 'adm.', 'gov.',
  'sen.', 'rep.', 'pres.', 'supt.', 'insp.', 'fr.', 'mgr.', 'mt.', 'ft.',
  'e.g.', 'i.e.', 'vs.', 'v.', 'cf.', 'viz.', 'approx.', 'ca.', 'esp.', 'incl.',
]);

/** Abbreviations that never end a sentence when a number follows ("No. 5", "pp. 12"). */
export const BEFORE_NUMBER_ABBREVIATIONS: ReadonlySet<string> = new Set([
  'no.', 'nos.', 'vol.', 'vols.', 'p.', 'pp.', 'fig.', 'figs.', 'ch.', 'chap.', 'sec.', 'art.', 'para.', 'op.', 'eq.',
]);
