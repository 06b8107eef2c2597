#!/usr/bin/env node
// The `juhepay` command runs the built server (npm run build); in a checkout, `npm run juhepay -- <command>` uses tsx.
import '../dist/cli/main.js';
