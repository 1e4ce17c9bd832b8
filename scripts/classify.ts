import { main } from '../lib/cli/classify';

void main();
