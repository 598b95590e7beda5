import { describe, expect, it } from 'vitest';
import { matchRoute } from './router';

describe('matchRoute', () => {
  it('maps the dashboard paths (the ones the API answers with index.html) to pages', () => {
    expect(matchRoute('/')).toEqual({ page: 'grids' });
    expect(matchRoute('/grids/abc')).toEqual({ page: 'grid', id: 'abc' });
    expect(matchRoute('/grids/abc/')).toEqual({ page: 'grid', id: 'abc' });
    expect(matchRoute('/experiments/x%20y')).toEqual({ page: 'experiment', id: 'x y' });
    expect(matchRoute('/compare')).toEqual({ page: 'compare' });
    expect(matchRoute('/workers')).toEqual({ page: 'workers' });
    expect(matchRoute('/grids')).toEqual({ page: 'not-found' });
    expect(matchRoute('/grids/a/b')).toEqual({ page: 'not-found' });
  });
});
