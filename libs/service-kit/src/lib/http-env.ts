import { z } from 'zod';

import { LogEnvSchema, portFromEnv } from '@newsflow/config';

export const ServiceEnvSchema = (defaultPort: number) =>
  LogEnvSchema.extend({
    PORT: portFromEnv(defaultPort),
    /** Loopback by default; containers set 0.0.0.0. */
    HOST: z.string().min(1).default('127.0.0.1'),
  });
