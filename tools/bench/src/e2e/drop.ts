/**
 * Dropping files into the inbox as a producer would: each file is written to a staging folder on the
 * same file system first (not timed), then renamed into the inbox, so ingestion never sees a half-
 * written file and the drop time of its articles is the moment of the rename.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { type DropObject } from './articles';

export interface DropTimes {
  /** Article id → epoch ms of its file's rename into the inbox. */
  byId: Map<string, number>;
  /** Article id → the kind of file it came in. */
  kindById: Map<string, DropObject['kind']>;
}

export function emptyDropTimes(): DropTimes {
  return { byId: new Map(), kindById: new Map() };
}

export function stage(staging: string, objects: readonly DropObject[]): void {
  for (const object of objects) writeFileSync(join(staging, object.name), object.content);
}

function dropOne(staging: string, inbox: string, object: DropObject, times: DropTimes): void {
  renameSync(join(staging, object.name), join(inbox, object.name));
  const at = Date.now();
  for (const article of object.articles) {
    times.byId.set(article.id, at);
    times.kindById.set(article.id, object.kind);
  }
}

/** Every object at once, as fast as renames go. */
export function dropAll(
  staging: string,
  inbox: string,
  objects: readonly DropObject[],
  times: DropTimes,
): void {
  for (const object of objects) dropOne(staging, inbox, object, times);
}

/**
 * Object k at `start + k / rate` seconds: the offered load stays at `rate` objects/s whatever the
 * pipeline does (an open loop; a late timer drops the objects that are due at once). `onDrop` is
 * called after each batch of due objects, for the progress bar.
 */
export async function dropAtRate(
  staging: string,
  inbox: string,
  objects: readonly DropObject[],
  rate: number,
  times: DropTimes,
  onDrop: (dropped: number) => void,
): Promise<void> {
  const start = Date.now();
  let next = 0;
  while (next < objects.length) {
    const due = Math.min(objects.length, Math.floor(((Date.now() - start) * rate) / 1000) + 1);
    for (; next < due; next++) dropOne(staging, inbox, objects[next] as DropObject, times);
    onDrop(next);
    const nextAt = start + (next * 1000) / rate;
    await sleep(Math.max(0, nextAt - Date.now()));
  }
}
