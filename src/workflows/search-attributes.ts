/** Typed search attributes the cutover sets, so engineers can filter cutovers in the Temporal UI. */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const CutoverPhaseKey = defineSearchAttributeKey('CutoverPhase', SearchAttributeType.KEYWORD);
export const CutoverStageKey = defineSearchAttributeKey('CutoverStage', SearchAttributeType.KEYWORD);
export const CutoverGoLiveKey = defineSearchAttributeKey('CutoverGoLive', SearchAttributeType.DATETIME);

/** `--search-attribute` arguments for `temporal server start-dev`. */
export const SEARCH_ATTRIBUTE_REGISTRATIONS = ['CutoverPhase=Keyword', 'CutoverStage=Keyword', 'CutoverGoLive=Datetime'];
