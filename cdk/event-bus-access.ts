import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { ProductFunction } from './product-function.js';

/** The bus that receives change events, and how the functions name it in `EVENT_BUS_NAME`. */
export interface ChangeEventBus {
  readonly bus: IEventBus;
  /**
   * The construct's own bus by its name, what an operator reads; a given bus by its ARN, which
   * PutEvents takes where a name goes and which reaches a bus of another account too.
   */
  readonly reference: string;
}

export function changeEventBus(bus: IEventBus, owned: boolean): ChangeEventBus {
  return { bus, reference: owned ? bus.eventBusName : bus.eventBusArn };
}

/**
 * Lets a function that writes the index announce its changes: `events:PutEvents` on that one bus and
 * `EVENT_BUS_NAME` naming it, set together.
 */
export function grantPutChangeEvents(fn: ProductFunction, target: ChangeEventBus): void {
  target.bus.grantPutEventsTo(fn);
  fn.addEnvironment('EVENT_BUS_NAME', target.reference);
}
