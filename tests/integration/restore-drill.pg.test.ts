import { runRestoreDrill } from './restore-drill.contract.ts';

runRestoreDrill('PostgreSQL');
