import { z } from 'zod';
import { parseEnv } from '@resnet-lab/config';

/** The CLI's environment defaults for --api and --token; parsed once at start. */
export function loadCliEnv(source: Record<string, string | undefined> = process.env) {
  return parseEnv(
    {
      RESNET_LAB_API: z.string().url().default('http://127.0.0.1:3000'),
      RESNET_LAB_TOKEN: z.string().min(1).optional(),
    },
    source,
  );
}
