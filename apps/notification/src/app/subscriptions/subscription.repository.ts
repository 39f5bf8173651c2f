import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type Repository } from 'typeorm';

import { type KeywordSubscription } from '../matching/keyword-matcher';
import { SubscriptionEntity } from './subscription.entity';

/** The only place that reads or writes `notification.subscriptions`. */
@Injectable()
export class SubscriptionRepository {
  private readonly subscriptions: Repository<SubscriptionEntity>;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.subscriptions = dataSource.getRepository(SubscriptionEntity);
  }

  async create(input: Pick<SubscriptionEntity, 'name' | 'webhookUrl' | 'keywords' | 'signingSecret'>) {
    return this.subscriptions.save(this.subscriptions.create({ ...input, status: 'active' }));
  }

  async list(): Promise<SubscriptionEntity[]> {
    return this.subscriptions.find({ order: { createdAt: 'DESC' } });
  }

  async findById(id: string): Promise<SubscriptionEntity | null> {
    return this.subscriptions.findOneBy({ id });
  }

  async activeKeywordSubscriptions(): Promise<(KeywordSubscription & { name: string })[]> {
    return this.subscriptions.find({
      where: { status: 'active' },
      select: { id: true, name: true, keywords: true },
    });
  }
}
