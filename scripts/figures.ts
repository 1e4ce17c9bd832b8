import { main } from '../lib/cli/figures';

void main();
