/** Cancel, pause/resume, retry failed and change priority: the grid controls of the list and of the grid page. */
import { useEffect, useId, useState, type FormEvent } from 'react';
import { errorMessage } from '../../api/client';
import { useGridMutation, type GridAction } from '../../api/queries';
import type { Grid } from '../../api/types';

export function GridActions({ grid, compact = false }: { grid: Grid; compact?: boolean }) {
  const mutation = useGridMutation();
  const [priority, setPriority] = useState(String(grid.priority));
  const id = useId();
  useEffect(() => setPriority(String(grid.priority)), [grid.priority]);

  const act = (action: GridAction) => mutation.mutate({ id: grid.id, action });
  const onPriority = (e: FormEvent) => {
    e.preventDefault();
    mutation.mutate({ id: grid.id, action: 'priority', priority: Number(priority) });
  };
  const label = grid.name ?? grid.preset ?? grid.id.slice(0, 8);
  const active = !grid.done && grid.status !== 'cancelled';

  return (
    <div className={compact ? 'grid-actions compact' : 'grid-actions'}>
      {grid.status === 'paused' ? (
        <button type="button" onClick={() => act('resume')} aria-label={`Resume grid ${label}`}>
          Resume
        </button>
      ) : (
        <button type="button" onClick={() => act('pause')} disabled={!active} aria-label={`Pause grid ${label}`}>
          Pause
        </button>
      )}
      <button
        type="button"
        onClick={() => act('cancel')}
        disabled={!active && grid.status !== 'paused'}
        aria-label={`Cancel grid ${label}`}
      >
        Cancel
      </button>
      <button
        type="button"
        onClick={() => act('retry')}
        disabled={grid.counts.failed === 0}
        aria-label={`Retry failed experiments of grid ${label}`}
      >
        Retry failed
      </button>
      <form onSubmit={onPriority} className="priority-form" noValidate>
        <label htmlFor={`${id}-priority`}>Priority</label>
        <input
          id={`${id}-priority`}
          type="number"
          min={0}
          max={1000}
          value={priority}
          onChange={(e) => setPriority(e.target.value)}
          aria-label={`Priority of grid ${label}`}
        />
        <button type="submit" aria-label={`Set the priority of grid ${label}`}>
          Set
        </button>
      </form>
      {mutation.isError && (
        <span className="field-error" role="alert">
          {errorMessage(mutation.error)}
        </span>
      )}
    </div>
  );
}
