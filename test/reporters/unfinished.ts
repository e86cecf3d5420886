/**
 * Names the test a crashed worker was running. When a test file's process dies (a native crash, a signal, the
 * OOM killer), vitest says only "Worker exited unexpectedly": not which file, not which test, and the file is
 * missing from the list of results rather than marked failed. CI shows the tail of the output, so this prints,
 * last, every file that never finished and the tests in it that started but never ended, with how long they
 * had run. Nothing is printed when every file finished.
 */
import type { Reporter, TestCase, TestModule } from 'vitest/node';

export default class UnfinishedReporter implements Reporter {
  private readonly startedAt = new Map<string, number>();

  onTestCaseReady(test: TestCase): void {
    this.startedAt.set(test.id, Date.now());
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const lines: string[] = [];
    for (const m of testModules) {
      if (m.state() !== 'pending' && m.state() !== 'queued') continue;
      lines.push(`  ${m.moduleId.replace(`${process.cwd()}/`, '')} never finished`);
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        const started = this.startedAt.get(t.id);
        if (state === 'pending' && started !== undefined) lines.push(`    running for ${Date.now() - started} ms: ${t.fullName}`);
      }
    }
    if (lines.length) process.stderr.write(`\nTest files whose worker ended before they did:\n${lines.join('\n')}\n`);
  }
}
