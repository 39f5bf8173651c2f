import { BadRequestException, Controller, Get, NotFoundException, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';

import { ArticleRepository } from '../persistence/article.repository';
import { decodeCursor, encodeCursor } from './article-cursor';
import { ArticleDto, ArticlePageDto, ListArticlesQuery } from './article.dto';

const ARTICLE_ID = /^[0-9a-f]{32}$/;

@ApiTags('articles')
@Controller('api/articles')
export class ArticlesController {
  constructor(private readonly articles: ArticleRepository) {}

  @Get()
  @ApiOkResponse({ type: ArticlePageDto, description: 'Articles, newest publication date first' })
  @ApiBadRequestResponse({ description: 'A query parameter is invalid; the message names it' })
  async list(@Query() query: ListArticlesQuery): Promise<ArticlePageDto> {
    const after = query.cursor ? decodeCursor(query.cursor) : undefined;
    // One extra row tells whether there is a next page without a COUNT.
    const rows = await this.articles.listNewestFirst({ limit: query.limit + 1, after });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map((row) => ArticleDto.from(row)),
      nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null,
    };
  }

  @Get(':id')
  @ApiOkResponse({ type: ArticleDto })
  @ApiNotFoundResponse({ description: 'No article has this id' })
  async get(@Param('id') id: string): Promise<ArticleDto> {
    if (!ARTICLE_ID.test(id)) throw new BadRequestException('id: must be 32 lowercase hex characters');
    const article = await this.articles.findById(id);
    if (!article) throw new NotFoundException(`no article with id ${id}`);
    return ArticleDto.from(article);
  }
}
