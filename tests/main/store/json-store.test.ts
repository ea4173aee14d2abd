import { jsonHarness } from '../../support/store-backends';
import { describeStoreContract } from './store-contract';

describeStoreContract('json', () => jsonHarness('json-store-contract'));
