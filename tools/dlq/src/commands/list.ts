import { type DlqCommand } from '../args';
import { type DlqContext, topicExists } from '../context';
import { type DeadLetterRow, compareRows, deadLetters, formatListTable, toRow } from '../format';
import { describeSelection, matchesSelection } from '../selection';

import { readDeadLetters } from './read-dead-letters';

type ListCommand = Extract<DlqCommand, { name: 'list' }>;

export async function listCommand(ctx: DlqContext, command: ListCommand): Promise<number> {
  if (!(await topicExists(ctx.admin, ctx.dlqTopic))) {
    if (command.json) ctx.out('[]');
    else ctx.out(`No dead letters: the topic ${ctx.dlqTopic} does not exist (yet).`);
    return 0;
  }
  const rows: DeadLetterRow[] = [];
  let total = 0;
  await readDeadLetters(ctx, (deadLetter, log) => {
    total++;
    if (matchesSelection(deadLetter, command.selection))
      rows.push(toRow(deadLetter, log.markerOf(ctx.dlqTopic, deadLetter)));
  });
  rows.sort(compareRows);
  // --limit keeps the most recent ones, still listed oldest first (the newest at the bottom, as with tail).
  const shown = command.limit === undefined ? rows : rows.slice(-command.limit);
  if (command.json) {
    ctx.out(JSON.stringify(shown, null, 2));
    return 0;
  }
  const which = describeSelection(command.selection);
  if (shown.length === 0) {
    ctx.out(`No dead letters match (${which}); ${ctx.dlqTopic} holds ${total}.`);
    return 0;
  }
  formatListTable(shown).forEach((line) => ctx.out(line));
  const pending = rows.filter((row) => row.redriven === null).length;
  ctx.out('');
  ctx.out(
    `${shown.length === rows.length ? deadLetters(rows.length) : `${shown.length} most recent of ${deadLetters(rows.length)}`} ` +
      `(${which}; ${pending} not redriven) of ${total} on ${ctx.dlqTopic}. ` +
      '`npm run dlq -- show <id>` shows one.',
  );
  return 0;
}
