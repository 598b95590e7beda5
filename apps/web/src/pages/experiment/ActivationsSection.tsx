/**
 * "Inside the network": a test image, a layer and a checkpoint picked, the layer's activation
 * maps drawn as a grid (one small canvas per channel, each normalised to its own min..max by the
 * API), with the image's true and predicted class. Skip-connection sums and block outputs are
 * offered first: they are where plain and residual nets (or 1x1 and 7x7 shortcuts) differ.
 */
import { useEffect, useMemo, useState } from 'react';
import { useActivationLayers, useActivationMaps } from '../../api/activation-queries';
import type { ActivationLayers } from '../../api/types';
import { ErrorNotice, Loading } from '../../components/common';
import { ByteImage, fromBase64 } from './activation-canvas';

type Layer = ActivationLayers['layers'][number];

const GROUPS: { role: Layer['role']; label: string }[] = [
  { role: 'skip-add', label: 'Skip-connection sums (block input + residual)' },
  { role: 'block-output', label: 'Block outputs' },
  { role: 'layer', label: 'Other layers' },
];

const ROLE_WORDS: Record<Layer['role'], string> = {
  'skip-add': 'skip-connection sum',
  'block-output': 'block output',
  layer: 'layer',
};

export function ActivationsSection({ experimentId }: { experimentId: string }) {
  /** undefined: the newest checkpoint. */
  const [epoch, setEpoch] = useState<number | undefined>(undefined);
  const [layerName, setLayerName] = useState('');
  const [image, setImage] = useState(0);
  const layers = useActivationLayers(experimentId, epoch);

  const spatial = useMemo(() => (layers.data?.layers ?? []).filter((l) => l.spatial), [layers.data]);
  // First offer the first skip-connection sum (or block output, for a plain net).
  useEffect(() => {
    if (spatial.length === 0 || spatial.some((l) => l.name === layerName)) return;
    const first =
      spatial.find((l) => l.role === 'skip-add') ?? spatial.find((l) => l.role === 'block-output') ?? spatial[0]!;
    setLayerName(first.name);
  }, [spatial, layerName]);

  const testImages = layers.data?.testImages ?? null;
  const lastImage = testImages === null ? null : testImages - 1;
  const clampImage = (n: number) => Math.max(0, lastImage === null ? n : Math.min(lastImage, n));
  const maps = useActivationMaps(
    experimentId,
    layerName && layers.data ? { layer: layerName, image, epoch: layers.data.epoch } : null,
  );

  if (layers.isPending) return <Loading what="the network's layers" />;
  if (!layers.data) return <ErrorNotice error={layers.error} what="the network's layers" />;
  const d = layers.data;
  const m = maps.data;
  const layer = spatial.find((l) => l.name === layerName);

  return (
    <div className="activations">
      <div className="filters activation-controls">
        <label>
          Checkpoint
          <select
            value={epoch === undefined ? 'latest' : String(epoch)}
            onChange={(e) => setEpoch(e.target.value === 'latest' ? undefined : Number(e.target.value))}
          >
            <option value="latest">newest (epoch {d.checkpoints.at(-1)})</option>
            {d.checkpoints.map((c) => (
              <option key={c} value={c}>
                epoch {c}
              </option>
            ))}
          </select>
        </label>
        <label>
          Layer
          <select value={layerName} onChange={(e) => setLayerName(e.target.value)}>
            {GROUPS.map((g) => {
              const inGroup = spatial.filter((l) => l.role === g.role);
              return inGroup.length === 0 ? null : (
                <optgroup key={g.role} label={g.label}>
                  {inGroup.map((l) => (
                    <option key={l.name} value={l.name}>
                      {l.name} ({l.outputShape.join('×')})
                    </option>
                  ))}
                </optgroup>
              );
            })}
          </select>
        </label>
        <div className="image-picker" role="group" aria-labelledby="activation-image-label">
          <label id="activation-image-label" htmlFor="activation-image">
            Test image{lastImage === null ? '' : ` (0–${lastImage})`}
          </label>
          <span className="image-picker-row">
            <button
              type="button"
              className="small-button"
              onClick={() => setImage((n) => clampImage(n - 1))}
              disabled={image <= 0}
            >
              ‹ Prev<span className="visually-hidden"> test image</span>
            </button>
            <input
              id="activation-image"
              type="number"
              inputMode="numeric"
              min={0}
              {...(lastImage === null ? {} : { max: lastImage })}
              value={image}
              onChange={(e) => {
                const n = Number(e.target.value);
                if (Number.isInteger(n)) setImage(clampImage(n));
              }}
            />
            <button
              type="button"
              className="small-button"
              onClick={() => setImage((n) => clampImage(n + 1))}
              disabled={lastImage !== null && image >= lastImage}
            >
              Next<span className="visually-hidden"> test image</span> ›
            </button>
          </span>
        </div>
      </div>

      {maps.isError && <ErrorNotice error={maps.error} what="the activation maps" />}
      <p className="muted small" role="status" aria-live="polite">
        {maps.isFetching
          ? 'Computing the activations…'
          : m && layer
            ? `${m.layer.name} (${ROLE_WORDS[m.layer.role]}) at epoch ${m.epoch}: ${m.maps.count} of ` +
              `${m.maps.totalChannels} channels, ${m.layer.outputShape[0]}×${m.layer.outputShape[1]} each` +
              (m.maps.stride > 1 ? ` (every ${m.maps.stride}th pixel shown)` : '') +
              '. Each map is scaled to its own minimum (black) and maximum (white).'
            : ''}
      </p>
      {m && (
        <div className={`activation-view${maps.isFetching ? ' stale' : ''}`}>
          <figure className="activation-input">
            <ByteImage
              bytes={fromBase64(m.image.pixels)}
              width={m.image.width}
              height={m.image.height}
              channels={m.image.channels}
              displayWidth={128}
              label={`test image ${m.image.index}`}
            />
            <figcaption>
              Test image {m.image.index}
              <br />
              true class <strong>{m.image.label}</strong>, predicted <strong>{m.image.predicted}</strong> (
              {Math.round(100 * (m.image.probabilities[m.image.predicted] ?? 0))}%,{' '}
              {m.image.predicted === m.image.label ? 'right' : 'wrong'})
            </figcaption>
          </figure>
          <ChannelGrid maps={m.maps} />
        </div>
      )}
    </div>
  );
}

function ChannelGrid({ maps }: { maps: NonNullable<ReturnType<typeof useActivationMaps>['data']>['maps'] }) {
  const bytes = useMemo(() => fromBase64(maps.data), [maps.data]);
  const size = maps.height * maps.width;
  // Small maps are upscaled more, so a 2x2 map is not a dot and a 32x32 one still fits a phone.
  const display = Math.max(48, Math.min(96, maps.width * 8));
  return (
    <ol className="activation-grid" aria-label="activation maps, one per channel">
      {Array.from({ length: maps.count }, (_, k) => {
        const channel = maps.first + k;
        const range = `${formatValue(maps.min[k]!)} to ${formatValue(maps.max[k]!)}`;
        return (
          <li key={channel} title={`channel ${channel}: ${range}`}>
            <ByteImage
              bytes={bytes.subarray(k * size, (k + 1) * size)}
              width={maps.width}
              height={maps.height}
              channels={1}
              displayWidth={display}
              label={`channel ${channel}, values ${range}`}
            />
            <span className="small">{channel}</span>
          </li>
        );
      })}
    </ol>
  );
}

function formatValue(v: number): string {
  return Math.abs(v) >= 100 || v === 0 ? v.toFixed(0) : v.toPrecision(2);
}
