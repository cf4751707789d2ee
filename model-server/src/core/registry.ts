import { ServingError } from './errors';
import type { LoadedModel } from './types';

/** DEFAULT_MODEL names no loaded model: a configuration error (exit 2), not a load failure. */
export class DefaultModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DefaultModelError';
  }
}

export interface ModelRegistryOptions {
  /**
   * Model answering `/predict`, `/invocations` and the Vertex predict route.
   * @default - the only model when one is loaded, else the first by name
   */
  readonly defaultModel?: string;
}

/** The loaded models by name, and which one is the default. Empty until `load` (the server is not ready). */
export class ModelRegistry {
  private readonly byName = new Map<string, LoadedModel>();
  private defaultName: string | undefined;
  /** Why the default was chosen, for the start-up log. */
  defaultReason = '';

  constructor(private readonly options: ModelRegistryOptions = {}) {}

  get loaded(): boolean {
    return this.byName.size > 0;
  }

  /** Registers the models (already self-tested). Throws DefaultModelError when DEFAULT_MODEL is not among them. */
  load(models: readonly LoadedModel[]): void {
    if (models.length === 0) throw new Error('no models to serve');
    const names = models.map((m) => m.name);
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    if (duplicate !== undefined) throw new Error(`two models are named "${duplicate}"`);
    const sorted = [...names].sort();
    const wanted = this.options.defaultModel;
    if (wanted !== undefined && !names.includes(wanted)) {
      throw new DefaultModelError(
        `DEFAULT_MODEL="${wanted}" names no loaded model; loaded: ${sorted.join(', ')}`,
      );
    }
    for (const m of [...models].sort((a, b) => a.name.localeCompare(b.name))) this.byName.set(m.name, m);
    if (wanted !== undefined) {
      this.defaultName = wanted;
      this.defaultReason = 'DEFAULT_MODEL';
    } else {
      this.defaultName = sorted[0];
      this.defaultReason =
        models.length === 1 ? 'the only model' : 'first by name; set DEFAULT_MODEL to choose';
    }
  }

  /** Every model, by name. */
  list(): LoadedModel[] {
    return [...this.byName.values()];
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  /** The model or undefined, without throwing (for logging and metrics on requests that fail early). */
  find(name: string): LoadedModel | undefined {
    return this.byName.get(name);
  }

  get(name: string): LoadedModel {
    this.assertLoaded();
    const model = this.byName.get(name);
    if (model === undefined) {
      throw new ServingError(
        'MODEL_NOT_FOUND',
        `no model named "${name}"; loaded models: ${this.names().join(', ')}`,
      );
    }
    return model;
  }

  get defaultModelName(): string | undefined {
    return this.defaultName;
  }

  getDefault(): LoadedModel {
    this.assertLoaded();
    return this.byName.get(this.defaultName!)!;
  }

  private assertLoaded(): void {
    if (!this.loaded) throw new ServingError('NOT_READY', 'models are still loading');
  }
}
