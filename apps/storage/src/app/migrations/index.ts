import { CreateArticles1764100000000 } from './1764100000000-create-articles';

/** Listed explicitly, in order: compiled and bundled output cannot be globbed reliably. */
export const STORAGE_MIGRATIONS = [CreateArticles1764100000000];
