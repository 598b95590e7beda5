// Imported by the tests that need the engine: importing it registers the engine. fallback.test.ts
// must not import it (it checks what happens when the engine is disabled).
import { setUpOnednn } from './backend-parity';

/**
 * The engine, registered once per test file. Tests that need it use `it.skipIf(!ENGINE.ok)` and
 * put SKIP_NOTE in their suite's name, so a skip shows the reason in the test report.
 */
export const ENGINE = setUpOnednn();
export const SKIP_NOTE = ENGINE.ok ? '' : ` [skipped: oneDNN engine unavailable: ${ENGINE.reason}]`;
if (!ENGINE.ok) console.warn(`oneDNN engine tests skipped: ${ENGINE.reason}`);
