// `node --import derivative-lens/register`: registers the load hooks that rewrite the user's modules for live derivative checks.
import { register } from 'node:module';
import { filterFromEnvironment } from './filter';

register('./live-hooks.mjs', import.meta.url, { data: filterFromEnvironment() });
