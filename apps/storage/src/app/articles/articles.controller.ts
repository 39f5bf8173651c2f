import { BadRequestException, Controller, Get, NotFoundException, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';

import { ArticleQueryRepository } from '../persistence/article-query.repository';
import { ArticleRepository } from '../persistence/article.repository';
import { decodeCursor, encodeCursor } from './article-cursor';
import { ArticleDetailDto } from './article-detail.dto';
import { articleListRequest } from './article-list-request';
import { ArticleDto, ArticlePageDto, ListArticlesQuery } from './article.dto';

const ARTICLE_ID = /^[0-9a-f]{32}$/;

@ApiTags('articles')
@Controller('api/articles')
export class ArticlesController {
  constructor(
    private readonly articles: ArticleRepository,
    private readonly queries: ArticleQueryRepository,
  ) {}

  @Get()
  @ApiOkResponse({
    type: ArticlePageDto,
    description: 'Articles matching every given parameter, newest publication date first (or by relevance)',
  })
  @ApiBadRequestResponse({ description: 'A query parameter is invalid; the message names it' })
  async list(@Query() query: ListArticlesQuery): Promise<ArticlePageDto> {
    const { filter, sort } = articleListRequest(query);
    const context = { sort, text: query.q };
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, context);
    if (filter.text !== undefined && !(await this.queries.isSearchable(filter.text))) {
      throw new BadRequestException('q: has no words to search for (only stop words or punctuation)');
    }
    // One extra row tells whether there is a next page without a COUNT.
    const rows = await this.queries.listPage({ filter, sort, after, limit: query.limit + 1 });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map((row) => ArticleDto.from(row.article)),
      nextCursor:
        rows.length > query.limit && last
          ? encodeCursor(
              {
                publishedAt: last.article.publishedAt,
                id: last.article.id,
                rank: last.rank ?? undefined,
                window: last.window,
              },
              context,
            )
          : null,
    };
  }

  @Get(':id')
  @ApiOkResponse({ type: ArticleDetailDto })
  @ApiBadRequestResponse({ description: 'The id is not an article id' })
  @ApiNotFoundResponse({ description: 'No article has this id' })
  async get(@Param('id') id: string): Promise<ArticleDetailDto> {
    if (!ARTICLE_ID.test(id)) throw new BadRequestException('id: must be 32 lowercase hex characters');
    const article = await this.articles.findById(id);
    if (!article) throw new NotFoundException(`no article with id ${id}`);
    return ArticleDetailDto.fromDetails(article, await this.queries.findDetails(article));
  }
}
