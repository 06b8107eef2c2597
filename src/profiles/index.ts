// User profiles (CONTRACT §9): tags as value distributions with confidence, built from mergeable
// counts so that the live stream and a full recompute run the same code and give the same bytes.
// Other modules and the app use this file only.
export type { FieldValue, ProfileEvent } from './events.js';
export { customerSubject, payerSubject, subjectsOf } from './events.js';
export type { TagDefinition, TagPrior, TagSource, TagWindow, ValueRule } from './tag-definition.js';
export { closedDomain, tagKey } from './tag-definition.js';
export {
  BUILTIN_TAG_NAMES,
  BUILTIN_TAGS,
  SPENDING_LEVEL_CURRENT_VERSION,
  SPENDING_LEVEL_VERSIONS,
} from './builtin-tags.js';
export { definitionFingerprint, parseTagDefinition, type TagDefinitionInput } from './tag-validation.js';
export { bucketOf, dayBucket, observe, type Observation } from './observe.js';
export {
  addObservation,
  cellCount,
  cloneTagState,
  emptyTagState,
  mergeInto,
  mergeTagStates,
  type TagState,
} from './aggregate.js';
export { readDistribution, type TagDistribution, type ValueConfidence } from './distribution.js';
export { parseTagState, serializeTagState, tagStateDigest } from './canonical.js';
export {
  applyEvent,
  applyOnce,
  bookDigest,
  canonicalLines,
  compileTags,
  emptyBook,
  foldEvents,
  mergeBookInto,
  touchedBy,
  type CompiledTags,
  type ProcessedIds,
  type ProfileBook,
} from './profile-book.js';
export { summarize, summaryChanged, SUMMARY_CONFIDENCE_STEP, type TagSummary } from './summary.js';
export { readSummary, summaryKey, writeSummaries, type SubjectSummary } from './serving-cache.js';
export {
  applyEventToStore,
  beginStateVersion,
  currentStateVersion,
  loadSubject,
  loadVersion,
  saveSubject,
  switchStateVersion,
} from './store.js';
export type { ProfileTables } from './tables.js';
export {
  currentDigest,
  recomputeProfiles,
  type RecomputeOptions,
  type RecomputeResult,
} from './recompute.js';
export {
  applyJournaled,
  profileEventHandler,
  profileStreamConsumers,
  PROFILE_CONSUMERS,
  type ProfileConsumerDeps,
} from './consumer.js';
export { profileEventOf, PROFILE_TOPICS } from './sources.js';
export { operatorTags, putTag, tagsInForce } from './definitions.js';
export { profileSummaryReader, readProfile, readProfileSummary, type ProfileObject } from './reader.js';
export { registerProfileAdminRoutes, registerProfileMerchantRoutes } from './http/routes.js';
