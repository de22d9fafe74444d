/** Typed search attributes the cutover sets, so engineers can filter cutovers in the Temporal UI. */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const CutoverPhaseKey = defineSearchAttributeKey('CutoverPhase', SearchAttributeType.KEYWORD);
export const CutoverStageKey = defineSearchAttributeKey('CutoverStage', SearchAttributeType.KEYWORD);
export const CutoverGoLiveKey = defineSearchAttributeKey('CutoverGoLive', SearchAttributeType.DATETIME);

/** Every key above: what a server must have registered before a cutover can run on it. */
export const CUTOVER_SEARCH_ATTRIBUTE_KEYS = [CutoverPhaseKey, CutoverStageKey, CutoverGoLiveKey];

const FLAG_TYPE_NAMES: Partial<Record<SearchAttributeType, string>> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.DATETIME]: 'Datetime',
};

/** `--search-attribute` arguments for `temporal server start-dev`. */
export const SEARCH_ATTRIBUTE_REGISTRATIONS = CUTOVER_SEARCH_ATTRIBUTE_KEYS.map(
  (key) => `${key.name}=${FLAG_TYPE_NAMES[key.type] ?? key.type}`,
);
