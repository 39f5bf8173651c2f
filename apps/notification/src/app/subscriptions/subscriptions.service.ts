import { randomUUID } from 'node:crypto';

import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';

import {
  type FilterProblem,
  type SubscriptionFilter,
  filterFromKeywords,
  validateSubscriptionFilter,
} from '@newsflow/subscription-matching';

import { SubscriptionMatcher } from '../matching/subscription-matcher';
import { NOTIFICATION_CONFIG, type NotificationConfig } from '../notification.config';
import { type CreateSubscriptionDto, type UpdateSubscriptionDto } from './subscription.dto';
import { type SubscriptionEntity } from './subscription.entity';
import { type SubscriptionChanges, SubscriptionRepository } from './subscription.repository';
import { type RotatedSecret, SubscriptionSecrets } from './subscription-secrets';
import { webhookUrlProblem } from './webhook-url';

/** A 400 whose body names every problem: `message` for people, `problems` for programs. */
function badRequest(problems: FilterProblem[]): BadRequestException {
  return new BadRequestException({
    statusCode: 400,
    error: 'Bad Request',
    message: problems.map(
      (problem) =>
        `${problem.path}: ${problem.reason}${problem.position === undefined ? '' : ` at position ${problem.position}`}`,
    ),
    problems,
  });
}

/**
 * The subscription use cases behind the API. Every change is followed by a rebuild of this
 * instance's matching index before the answer, so the next article already sees it.
 */
@Injectable()
export class SubscriptionsService {
  constructor(
    @Inject(NOTIFICATION_CONFIG)
    private readonly config: Pick<NotificationConfig, 'WEBHOOK_ALLOW_PRIVATE_TARGETS'>,
    private readonly subscriptions: SubscriptionRepository,
    private readonly secrets: SubscriptionSecrets,
    private readonly matcher: SubscriptionMatcher,
  ) {}

  async create(
    input: CreateSubscriptionDto,
  ): Promise<{ subscription: SubscriptionEntity; signingSecret: string }> {
    if (input.filter === undefined && input.keywords === undefined) {
      throw badRequest([{ path: 'filter', reason: 'a filter is needed (or, as before filters, keywords)' }]);
    }
    const filter = this.filterOf(input);
    await this.checkWebhookUrl(input.webhookUrl);
    const id = randomUUID();
    const { signingSecret, sealed } = this.secrets.issue(id);
    const subscription = await this.subscriptions.create({
      id,
      name: input.name.trim(),
      webhookUrl: input.webhookUrl,
      filter,
      signingSecretSealed: sealed,
      oncePerStory: input.oncePerStory ?? false,
      digestMinutes: input.digestMinutes ?? null,
      rateLimitPerMinute: input.rateLimitPerMinute ?? null,
    });
    await this.matcher.refreshAfterChange();
    return { subscription, signingSecret };
  }

  async list(): Promise<SubscriptionEntity[]> {
    return this.subscriptions.list();
  }

  async get(id: string): Promise<SubscriptionEntity> {
    return found(id, await this.subscriptions.findById(id));
  }

  async update(id: string, input: UpdateSubscriptionDto): Promise<SubscriptionEntity> {
    const changes: SubscriptionChanges = {};
    if (input.name !== undefined) changes.name = input.name.trim();
    if (input.webhookUrl !== undefined) {
      await this.checkWebhookUrl(input.webhookUrl);
      changes.webhookUrl = input.webhookUrl;
    }
    if (input.filter !== undefined || input.keywords !== undefined) changes.filter = this.filterOf(input);
    if (input.oncePerStory !== undefined) changes.oncePerStory = input.oncePerStory;
    if (input.digestMinutes !== undefined) changes.digestMinutes = input.digestMinutes;
    if (input.rateLimitPerMinute !== undefined) changes.rateLimitPerMinute = input.rateLimitPerMinute;
    const updated = found(id, await this.subscriptions.update(id, changes));
    await this.matcher.refreshAfterChange();
    return updated;
  }

  async pause(id: string): Promise<SubscriptionEntity> {
    const paused = found(id, await this.subscriptions.pause(id));
    await this.matcher.refreshAfterChange();
    return paused;
  }

  async resume(id: string): Promise<SubscriptionEntity> {
    const resumed = found(id, await this.subscriptions.resume(id));
    await this.matcher.refreshAfterChange();
    return resumed;
  }

  async delete(id: string): Promise<void> {
    if (!(await this.subscriptions.delete(id))) throw notFound(id);
    await this.matcher.refreshAfterChange();
  }

  async rotateSecret(id: string): Promise<RotatedSecret> {
    return found(id, await this.secrets.rotate(id));
  }

  private filterOf(input: { filter?: Record<string, unknown>; keywords?: string[] }): SubscriptionFilter {
    if (input.filter !== undefined && input.keywords !== undefined) {
      throw badRequest([
        { path: 'keywords', reason: 'give filter or keywords, not both (filter.keywords exists)' },
      ]);
    }
    const result = validateSubscriptionFilter(input.filter ?? filterFromKeywords(input.keywords ?? []));
    if (!result.ok) {
      const field = input.filter !== undefined ? 'filter' : '';
      throw badRequest(
        result.problems.map((problem) => ({
          ...problem,
          path: [field, problem.path].filter(Boolean).join('.') || 'filter',
        })),
      );
    }
    return result.filter;
  }

  private async checkWebhookUrl(url: string): Promise<void> {
    const problem = await webhookUrlProblem(url, {
      allowPrivateTargets: this.config.WEBHOOK_ALLOW_PRIVATE_TARGETS,
    });
    if (problem !== undefined) throw badRequest([{ path: 'webhookUrl', reason: problem }]);
  }
}

function notFound(id: string): NotFoundException {
  return new NotFoundException(`no subscription with id ${id}`);
}

function found<T>(id: string, value: T | null): T {
  if (value === null) throw notFound(id);
  return value;
}
