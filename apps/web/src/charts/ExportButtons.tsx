/** "CSV" and "PNG" downloads for the chart (the enclosing <figure>) these buttons sit in. */
import { useState } from 'react';
import { fileStem } from './export-data';
import { downloadCsv, downloadPng } from './export-file';

export function ExportButtons({ title, csv }: { title: string; csv: () => string }) {
  const [error, setError] = useState<string | null>(null);
  const stem = fileStem(title);
  return (
    <span className="chart-export">
      <button type="button" className="small-button" onClick={() => downloadCsv(csv(), `${stem}.csv`)}>
        CSV<span className="visually-hidden"> of {title}</span>
      </button>
      <button
        type="button"
        className="small-button"
        onClick={(e) => {
          const figure = e.currentTarget.closest('figure');
          if (!figure) return;
          setError(null);
          downloadPng(figure, `${stem}.png`).catch((err: unknown) => setError(String(err)));
        }}
      >
        PNG<span className="visually-hidden"> of {title}</span>
      </button>
      {error && (
        <span className="notice-error small" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
