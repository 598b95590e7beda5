/**
 * Newest-first keyset paging shared by the list endpoints: ask Prisma for `limit + 1` rows after
 * the cursor (`pageQuery`), then split off the extra row to learn whether another page exists.
 */
export function pageQuery(limit: number, cursor?: string) {
  return {
    orderBy: [{ createdAt: 'desc' as const }, { id: 'desc' as const }],
    take: limit + 1,
    ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
  };
}

export function toPage<T extends { id: string }>(rows: T[], limit: number): { items: T[]; nextCursor: string | null } {
  const hasMore = rows.length > limit;
  const items = hasMore ? rows.slice(0, limit) : rows;
  return { items, nextCursor: hasMore ? items[items.length - 1]!.id : null };
}
