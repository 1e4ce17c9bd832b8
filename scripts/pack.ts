import { main } from '../lib/cli/pack';

void main();
