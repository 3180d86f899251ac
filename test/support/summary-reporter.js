/**
 * Prints jest's totals as one plain closing line ("tests: N passed, N failed, N skipped") and
 * turns a run with no executed test into a failure.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    console.log(`tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped`);
    if (results.numPassedTests + results.numFailedTests === 0) {
      console.log('tests: no test ran');
      process.exitCode = 1;
    }
  }
}
module.exports = SummaryReporter;
