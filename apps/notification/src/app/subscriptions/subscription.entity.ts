import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type SubscriptionStatus = 'active' | 'paused' | 'disabled';

@Entity({ name: 'subscriptions' })
export class SubscriptionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'webhook_url', type: 'text' })
  webhookUrl!: string;

  @Column({ type: 'text', array: true })
  keywords!: string[];

  @Column({ name: 'signing_secret', type: 'text' })
  signingSecret!: string;

  @Column({ type: 'text', default: 'active' })
  status!: SubscriptionStatus;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
