import { MonitoringNotificationChannel } from '@cdktf/provider-google/lib/monitoring-notification-channel';
import { Construct } from 'constructs';

export interface EmailNotificationChannelsProps {
  readonly projectId: string;
  /** Addresses notified by the alert policies. */
  readonly emails: readonly string[];
  /** Prefix of each channel's display name. */
  readonly displayNamePrefix: string;
  /** Labels of the channels (`user_labels`: the provider's default labels do not reach them). @default {} */
  readonly labels?: Readonly<Record<string, string>>;
}

/** One Cloud Monitoring email channel per address, keyed by the address so reordering replaces nothing. */
export class EmailNotificationChannels extends Construct {
  /** Channel ids (`projects/<p>/notificationChannels/<id>`) for `notification_channels`. */
  readonly channelIds: string[];

  constructor(scope: Construct, id: string, props: EmailNotificationChannelsProps) {
    super(scope, id);
    this.channelIds = props.emails.map(
      (email) =>
        new MonitoringNotificationChannel(this, email, {
          project: props.projectId,
          displayName: `${props.displayNamePrefix} ${email}`,
          type: 'email',
          labels: { email_address: email },
          userLabels: { ...props.labels },
        }).id,
    );
  }
}
