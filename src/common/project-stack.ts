import { GcsBackend, LocalBackend, S3Backend, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { addSecurityGate } from '../security/gate';

/** Where a stack keeps its Terraform state. One state file per stack, keyed by the stack name. */
export type StateBackend =
  | {
      readonly kind: 'local';
      /**
       * Folder for state files, relative to the stack's working directory (`cdktf.out/stacks/<name>`).
       * Relative on purpose: an absolute path would differ between machines and break snapshots.
       * @default '../../..' (the project root, `terraform.<stack>.tfstate`)
       */
      readonly directory?: string;
    }
  | {
      readonly kind: 's3';
      readonly bucket: string;
      readonly region: string;
      /** @default 'model-serving' */
      readonly keyPrefix?: string;
    }
  | {
      readonly kind: 'gcs';
      readonly bucket: string;
      /** @default 'model-serving' */
      readonly prefix?: string;
    };

export interface ProjectStackProps {
  /** @default { kind: 'local' } */
  readonly stateBackend?: StateBackend;
  /** Project name, carried as a tag/label on every resource. @default 'model-serving' */
  readonly project?: string;
  /** Environment name, carried as a tag/label on every resource. @default 'demo' */
  readonly environment?: string;
}

/**
 * Base of every stack of the project: configures the state backend chosen in config, computes the
 * tags (AWS `default_tags`) and labels (Google `default_labels`) that every resource carries, and adds
 * the security gate (src/security) to the stack's validation, so every synth checks it.
 */
export class ProjectStack extends TerraformStack {
  /** `{ project, service, environment }`: `service` is the stack name. */
  readonly tags: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: ProjectStackProps = {}) {
    super(scope, id);
    const backend = props.stateBackend ?? { kind: 'local' };
    switch (backend.kind) {
      case 'local':
        new LocalBackend(this, { path: `${backend.directory ?? '../../..'}/terraform.${id}.tfstate` });
        break;
      case 's3': {
        const s3 = new S3Backend(this, {
          bucket: backend.bucket,
          region: backend.region,
          key: `${backend.keyPrefix ?? 'model-serving'}/${id}.tfstate`,
          encrypt: true,
        });
        // S3-native state locking (Terraform >= 1.10); cdktf 0.21's typed config predates the option.
        s3.addOverride('use_lockfile', true);
        break;
      }
      case 'gcs':
        new GcsBackend(this, {
          bucket: backend.bucket,
          prefix: `${backend.prefix ?? 'model-serving'}/${id}`,
        });
        break;
    }
    addSecurityGate(this);
    this.tags = {
      project: props.project ?? 'model-serving',
      service: id,
      environment: props.environment ?? 'demo',
    };
  }
}
