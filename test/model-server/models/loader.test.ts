import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BUNDLED_MODELS_DIR, loadModels } from '../../../model-server/src/models/loader';
import { TextModel } from '../../../model-server/src/models/text/text-model';
import { XGBoostModel } from '../../../model-server/src/models/xgboost/xgboost-model';
import { FIXTURE_MODELS_DIR, REPO_ROOT } from './helpers/golden';
import type { LooseJson } from './helpers/trees';

let scratch: string;

beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'model-loader-'));
});

afterEach(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** A copy of a bundle in the scratch directory, optionally with files rewritten. */
function copyBundle(from: string, to: string, edit?: (metadata: LooseJson) => void): string {
  const dir = join(scratch, to);
  cpSync(from, dir, { recursive: true });
  if (edit) {
    const file = join(dir, 'metadata.json');
    const metadata = JSON.parse(readFileSync(file, 'utf8'));
    edit(metadata);
    writeFileSync(file, JSON.stringify(metadata));
  }
  return dir;
}

describe('BUNDLED_MODELS_DIR', () => {
  it('is model-server/models', () => {
    expect(BUNDLED_MODELS_DIR).toBe(resolve(REPO_ROOT, 'model-server', 'models'));
  });

  it('serves the three bundled models, each passing its self-test', async () => {
    const models = await loadModels({ dir: BUNDLED_MODELS_DIR });
    expect(models.map((m) => m.name)).toEqual(['bankchurn', 'chicagotaxi', 'nlpinsight']);
    expect(models.map((m) => m.constructor)).toEqual([XGBoostModel, XGBoostModel, TextModel]);
    for (const m of models) {
      expect(m.version).toBe(m.metadata.version);
      expect(() => m.selfTest()).not.toThrow();
    }
  });
});

describe('the bundle rule', () => {
  it('serves a directory that is itself a bundle as one model named after the directory', async () => {
    const dir = copyBundle(join(BUNDLED_MODELS_DIR, 'bankchurn'), 'churn-v2');
    const models = await loadModels({ dir });
    expect(models.map((m) => m.name)).toEqual(['churn-v2']);
  });

  it('names that model MODEL_NAME when given', async () => {
    const models = await loadModels({ dir: join(BUNDLED_MODELS_DIR, 'bankchurn'), modelName: 'churn' });
    expect(models.map((m) => m.name)).toEqual(['churn']);
  });

  it('serves each bundle subdirectory of a directory, ignoring other entries', async () => {
    copyBundle(join(BUNDLED_MODELS_DIR, 'nlpinsight'), 'b-text');
    copyBundle(join(FIXTURE_MODELS_DIR, 'multiclass'), 'a-iris');
    mkdirSync(join(scratch, 'notes'));
    writeFileSync(join(scratch, 'notes', 'readme.txt'), 'not a bundle');
    writeFileSync(join(scratch, 'loose.json'), '{}');
    const models = await loadModels({ dir: scratch });
    expect(models.map((m) => m.name)).toEqual(['a-iris', 'b-text']);
  });

  it('follows symbolic links to bundle directories and skips hidden entries', async () => {
    const target = copyBundle(join(FIXTURE_MODELS_DIR, 'multiclass'), 'real');
    const served = join(scratch, 'served');
    mkdirSync(served);
    symlinkSync(target, join(served, 'iris'));
    symlinkSync(target, join(served, '..data'));
    const models = await loadModels({ dir: served });
    expect(models.map((m) => m.name)).toEqual(['iris']);
  });

  it('serves a directory holding only model.json as a bare booster', async () => {
    const dir = copyBundle(join(FIXTURE_MODELS_DIR, 'bare-booster'), 'sensors');
    const [model] = await loadModels({ dir });
    expect(model!.name).toBe('sensors');
    expect(model!.metadata.task).toBe('binary_classification');
    expect(model!.metadata.inputs).toEqual(
      ['sensor_a', 'sensor_b', 'temperature', 'pressure', 'load'].map((name) => ({
        name,
        type: 'number',
        nullable: true,
      })),
    );
    expect(model!.metadata.example).toEqual({
      sensor_a: 0,
      sensor_b: 0,
      temperature: 0,
      pressure: 0,
      load: 0,
    });
    expect(() => model!.selfTest()).not.toThrow();
    // Absent and null are both missing values.
    const [a, b] = model!.predict([{}, { sensor_a: null }], { explain: false });
    expect(a).toEqual(b);
  });

  it('names the inputs of a bare booster without feature_names f0, f1, …', async () => {
    const dir = join(scratch, 'anon');
    mkdirSync(dir);
    const json = JSON.parse(readFileSync(join(FIXTURE_MODELS_DIR, 'bare-booster', 'model.json'), 'utf8'));
    json.learner.feature_names = [];
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    const [model] = await loadModels({ dir });
    expect(model!.metadata.inputs.map((f) => f.name)).toEqual(['f0', 'f1', 'f2', 'f3', 'f4']);
    expect(
      model!.predict([[1, 2, 3, 4, 5]], { explain: true })[0]!.explanation!.contributions,
    ).toHaveProperty('f4');
  });
});

describe('clear errors', () => {
  it('for a directory that does not exist', async () => {
    const dir = join(scratch, 'nope');
    await expect(loadModels({ dir })).rejects.toThrow(`Model directory ${dir} does not exist`);
  });

  it('for a symlink loop, named as such (not "does not exist")', async () => {
    const dir = join(scratch, 'loop');
    symlinkSync(join(scratch, 'loop2'), dir);
    symlinkSync(dir, join(scratch, 'loop2'));
    await expect(loadModels({ dir })).rejects.toThrow(
      `Model directory ${dir} is a symbolic link loop (ELOOP); point MODEL_DIR at a real directory`,
    );
  });

  it('for a file instead of a directory', async () => {
    const file = join(scratch, 'model.tar.gz');
    writeFileSync(file, '');
    await expect(loadModels({ dir: file })).rejects.toThrow(`Model directory ${file} is not a directory`);
  });

  it('for an empty directory', async () => {
    await expect(loadModels({ dir: scratch })).rejects.toThrow(
      `No model bundle in ${scratch}: expected metadata.json or model.json in it or in one of its subdirectories, ` +
        'but it is empty',
    );
  });

  it('for a directory without bundles, listing what it holds', async () => {
    mkdirSync(join(scratch, 'model'));
    writeFileSync(join(scratch, 'model.tar.gz'), '');
    await expect(loadModels({ dir: scratch })).rejects.toThrow(/but it holds model, model\.tar\.gz$/);
  });

  it('for metadata that is not JSON', async () => {
    const dir = copyBundle(join(BUNDLED_MODELS_DIR, 'bankchurn'), 'broken');
    writeFileSync(join(dir, 'metadata.json'), '{"name": ');
    await expect(loadModels({ dir: scratch })).rejects.toThrow(
      new RegExp(
        `^Cannot load model 'broken' from ${dir}: ${dir}/metadata\\.json: the bundle metadata is not valid JSON`,
      ),
    );
  });

  it('for an artifact the metadata names but the bundle lacks', async () => {
    const dir = copyBundle(join(BUNDLED_MODELS_DIR, 'bankchurn'), 'lost', (m) => {
      m.artifact = 'booster.json';
    });
    await expect(loadModels({ dir })).rejects.toThrow(
      `${dir}/booster.json: cannot read the XGBoost model: ENOENT`,
    );
  });

  it('for a corrupt booster, naming the field', async () => {
    const dir = copyBundle(join(BUNDLED_MODELS_DIR, 'bankchurn'), 'corrupt');
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    json.learner.gradient_booster.model.trees[3].left_children.pop();
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    await expect(loadModels({ dir })).rejects.toThrow(
      /model\.json: learner\.gradient_booster\.model\.trees\[3\]\.left_children: expected \d+ entries \(num_nodes\), got \d+/,
    );
  });

  it('for metadata that disagrees with its booster', async () => {
    const dir = copyBundle(join(BUNDLED_MODELS_DIR, 'bankchurn'), 'mismatch', (m) => {
      m.task = 'regression';
      delete m.classLabels;
      m.features[0].name = 'Credit';
    });
    await expect(loadModels({ dir })).rejects.toThrow(
      `${dir}: bundle does not match its booster: features[0].name is "Credit" but the booster's ` +
        `feature_names[0] is "CreditScore"; task is regression but the booster's objective binary:logistic is ` +
        'binary_classification',
    );
  });

  it('for a text bundle whose labels differ from its artifact', async () => {
    const dir = copyBundle(join(BUNDLED_MODELS_DIR, 'nlpinsight'), 'text', (m) => {
      m.classLabels = ['bad', 'good'];
    });
    await expect(loadModels({ dir })).rejects.toThrow(
      /classLabels \["bad","good"\] differ from the artifact's classes/,
    );
  });

  it('from the self-test when the example does not score', async () => {
    const dir = copyBundle(join(BUNDLED_MODELS_DIR, 'bankchurn'), 'badexample', (m) => {
      m.example.Age = 7;
    });
    const [model] = await loadModels({ dir });
    expect(() => model!.selfTest()).toThrow(
      "Model 'badexample' failed its self-test: scoring metadata.example threw: Invalid input for model " +
        "'badexample', 1 problem: instances[0].Age must be >= 18, got 7",
    );
  });
});
