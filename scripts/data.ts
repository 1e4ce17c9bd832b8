import { main } from '../lib/cli/data';

void main();
