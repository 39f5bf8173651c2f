import { CreateArticles1764100000000 } from './1764100000000-create-articles';
import { RelationalArticles1764200000000 } from './1764200000000-relational-articles';
import { PublisherStatistics1764600000000 } from './1764600000000-publisher-statistics';
import { SearchVectorInline1764700000000 } from './1764700000000-search-vector-inline';
import { ArticleColumnsInline1764800000000 } from './1764800000000-article-columns-inline';
import { EntityLinksNewestFirst1764900000000 } from './1764900000000-entity-links-newest-first';
import { ArticleNotifications1765000000000 } from './1765000000000-article-notifications';
import { ChildRowsUnchecked1765100000000 } from './1765100000000-child-rows-unchecked';

/** Listed explicitly, in order: compiled and bundled output cannot be globbed reliably. */
export const STORAGE_MIGRATIONS = [
  CreateArticles1764100000000,
  RelationalArticles1764200000000,
  PublisherStatistics1764600000000,
  SearchVectorInline1764700000000,
  ArticleColumnsInline1764800000000,
  EntityLinksNewestFirst1764900000000,
  ArticleNotifications1765000000000,
  ChildRowsUnchecked1765100000000,
];
