import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { type IQueue, QueueEncryption, type QueueProps } from 'aws-cdk-lib/aws-sqs';

/** Every queue's encryption: the customer-managed key when there is one, else SQS-managed keys. */
export function queueEncryption(
  key: IKey | undefined,
): Pick<QueueProps, 'encryption' | 'encryptionMasterKey'> {
  return key === undefined
    ? { encryption: QueueEncryption.SQS_MANAGED }
    : { encryption: QueueEncryption.KMS, encryptionMasterKey: key };
}

/**
 * Lets `grantee` send to `queue`: `sqs:SendMessage`, and with a customer-managed key the two key
 * actions a sender needs (a data key to encrypt the message, and Decrypt of that data key's cached
 * copy). CDK's `grantSendMessages` grants `kms:ReEncrypt*` and `kms:GenerateDataKey*` as well, which a
 * sender never calls and cdk-nag rightly flags.
 */
export function grantSendMessages(grantee: IGrantable, queue: IQueue): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }),
  );
  queue.encryptionMasterKey?.grant(grantee, 'kms:Decrypt', 'kms:GenerateDataKey');
}
