import { type Selection } from './args';
import { type DeadLetter } from './dead-letter';

const sameText = (a: string | undefined, candidates: readonly string[]) =>
  a !== undefined && candidates.some((candidate) => candidate.toLowerCase() === a.toLowerCase());

/** Whether a dead letter is selected: every criterion given must hold (one of a list's values). */
export function matchesSelection(
  deadLetter: Pick<DeadLetter, 'id' | 'deadLetteredAt' | 'failure'>,
  selection: Selection,
): boolean {
  const { failure } = deadLetter;
  if (selection.ids && !selection.ids.includes(deadLetter.id)) return false;
  // Stages and codes are our own identifiers, typed by hand: case does not matter. Topic names are exact.
  if (selection.stages && !sameText(failure.stage, selection.stages)) return false;
  if (selection.codes && !sameText(failure.errorCode, selection.codes)) return false;
  if (selection.topics && !selection.topics.includes(failure.originalTopic ?? '')) return false;
  if (selection.since && deadLetter.deadLetteredAt < selection.since) return false;
  if (selection.until && deadLetter.deadLetteredAt >= selection.until) return false;
  return true;
}

/** The selection in words, for the line above a table or a redrive ("all" when nothing narrows it). */
export function describeSelection(selection: Selection): string {
  const parts = [
    selection.stages && `stage ${selection.stages.join(' or ')}`,
    selection.codes && `code ${selection.codes.join(' or ')}`,
    selection.topics && `from ${selection.topics.join(' or ')}`,
    selection.since && `since ${selection.since.toISOString()}`,
    selection.until && `until ${selection.until.toISOString()}`,
    selection.ids && `id ${selection.ids.join(', ')}`,
  ].filter((part): part is string => typeof part === 'string');
  return parts.length === 0 ? 'all' : parts.join(', ');
}
