import { useGrids } from '../../api/queries';
import { ErrorNotice, Loading, ProgressBar, Section, StatusBadge, StatusCounts } from '../../components/common';
import { formatDate } from '../../format';
import { Link } from '../../router';
import { GridActions } from './GridActions';
import { NewGridForm } from './NewGridForm';

export function GridsPage() {
  const grids = useGrids();
  return (
    <>
      <h1>Grids</h1>
      <Section title="Running and finished grids">
        {grids.isPending ? (
          <Loading what="grids" />
        ) : grids.isError && !grids.data ? (
          <ErrorNotice error={grids.error} what="the grids" />
        ) : grids.data.items.length === 0 ? (
          <p className="muted">No grids yet: start one below.</p>
        ) : (
          <div className="table-wrap">
            <table className="grids-table">
              <caption className="visually-hidden">Grids, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Grid</th>
                  <th scope="col">Status</th>
                  <th scope="col">Experiments</th>
                  <th scope="col">Progress</th>
                  <th scope="col">Created</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {grids.data.items.map((g) => (
                  <tr key={g.id}>
                    <td data-label="Grid">
                      <div>
                        <Link to={`/grids/${g.id}`}>{g.name ?? g.id.slice(0, 8)}</Link>
                        <div className="muted small">
                          {g.preset ? `preset ${g.preset}` : 'custom grid'} · project {g.project}
                        </div>
                      </div>
                    </td>
                    <td data-label="Status">
                      <StatusBadge status={g.done && g.status === 'active' ? 'done' : g.status} />
                    </td>
                    <td data-label="Experiments">
                      <StatusCounts counts={g.counts} />
                    </td>
                    <td data-label="Progress">
                      <ProgressBar value={g.progress} label={`progress of ${g.name ?? g.id}`} />
                    </td>
                    <td className="nowrap" data-label="Created">
                      {formatDate(g.createdAt)}
                    </td>
                    <td data-label="Actions">
                      <GridActions grid={g} compact />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
      <Section title="Start a grid">
        <NewGridForm />
      </Section>
    </>
  );
}
