import { main } from '../lib/cli/train';

void main();
