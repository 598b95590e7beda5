import { useEffect } from 'react';
import { ConnectionBanner } from './components/ConnectionBanner';
import { TokenPrompt } from './components/TokenPrompt';
import { Link, matchRoute, useLocation } from './router';
import { ComparePage } from './pages/compare/ComparePage';
import { ExperimentPage } from './pages/experiment/ExperimentPage';
import { GridPage } from './pages/grid/GridPage';
import { GridsPage } from './pages/grids/GridsPage';
import { WorkersPage } from './pages/workers/WorkersPage';

const TITLES = {
  grids: 'Grids',
  grid: 'Grid',
  experiment: 'Experiment',
  compare: 'Compare',
  workers: 'Workers',
  'not-found': 'Not found',
};

export function App() {
  const { pathname } = useLocation();
  const route = matchRoute(pathname);
  useEffect(() => {
    document.title = `${TITLES[route.page]} · resnet-lab`;
  }, [route.page]);

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link to="/" className="brand">
          resnet-lab
        </Link>
        <nav aria-label="main">
          <Link to="/" aria-current={route.page === 'grids' ? 'page' : undefined}>
            Grids
          </Link>
          <Link to="/compare" aria-current={route.page === 'compare' ? 'page' : undefined}>
            Compare
          </Link>
          <Link to="/workers" aria-current={route.page === 'workers' ? 'page' : undefined}>
            Workers
          </Link>
          <a href="/openapi.json">API</a>
        </nav>
      </header>
      <ConnectionBanner />
      <TokenPrompt />
      <main id="main" tabIndex={-1}>
        {route.page === 'grids' && <GridsPage />}
        {route.page === 'grid' && <GridPage key={route.id} id={route.id} />}
        {route.page === 'experiment' && <ExperimentPage key={route.id} id={route.id} />}
        {route.page === 'compare' && <ComparePage />}
        {route.page === 'workers' && <WorkersPage />}
        {route.page === 'not-found' && (
          <>
            <h1>Page not found</h1>
            <p>
              Nothing lives at <code>{pathname}</code>. <Link to="/">Back to the grids</Link>.
            </p>
          </>
        )}
      </main>
    </>
  );
}
