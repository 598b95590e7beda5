import { z } from 'zod';

/**
 * The network to train. One flat object for every family (rather than a union per family) so
 * that a grid axis such as `architecture.depth` means the same thing everywhere; fields that do
 * not apply to a family are rejected by the refinement below or dropped by `normalizeArchitecture`.
 */
export const ARCHITECTURE_FAMILIES = ['cifar-resnet', 'cifar-plain'] as const;
export const ArchitectureFamily = z.enum(ARCHITECTURE_FAMILIES);
export type ArchitectureFamily = z.infer<typeof ArchitectureFamily>;

export const ShortcutType = z.enum(['A', 'B', 'C']);
export type ShortcutType = z.infer<typeof ShortcutType>;

export const ArchitectureSpec = z
  .object({
    family: ArchitectureFamily.default('cifar-resnet'),
    depth: z.number().int().positive().default(20),
    shortcut: ShortcutType.default('A'),
    shortcutKernel: z.union([z.literal(1), z.literal(3), z.literal(5), z.literal(7)]).default(1),
    widthMultiplier: z.number().positive().max(8).default(1),
  })
  .strict()
  .superRefine((arch, ctx) => {
    if ((arch.family === 'cifar-resnet' || arch.family === 'cifar-plain') && (arch.depth - 2) % 6 !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['depth'],
        message: `depth must be 6n+2 (20, 32, 44, 56, 110, ...) for ${arch.family}, got ${arch.depth}`,
      });
    }
  });
export type ArchitectureSpec = z.infer<typeof ArchitectureSpec>;
