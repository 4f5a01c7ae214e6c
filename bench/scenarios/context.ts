/** What every scenario module gets: the server under test and the run's options. */
import type { BenchOptions } from "../options.js";

export interface ScenarioContext {
  /** `http://127.0.0.1:<port>` of the server under test. */
  url: string;
  options: BenchOptions;
  /** Progress lines for the operator (stderr), not part of the report. */
  log(message: string): void;
}
