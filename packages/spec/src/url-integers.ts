import { z } from 'zod';

/**
 * The largest value a Postgres `integer` column holds. Epochs and positions arriving in URLs are
 * compared with such columns, so a larger one must be a 400 here, not an overflow in the query.
 */
export const INT4_MAX = 2_147_483_647;

/** A whole number from a URL (path or query), at least `min`, at most what storage holds. */
export const urlInteger = (min: number) => z.coerce.number().int().min(min).max(INT4_MAX);
