// Runs every registered CppUnit fixture; exits non-zero when one fails.
// Extra arguments name tests to run (e.g. "ConfigTest").
#include "core/log.hh"

#include <cppunit/CompilerOutputter.h>
#include <cppunit/TestResult.h>
#include <cppunit/TestResultCollector.h>
#include <cppunit/TestRunner.h>
#include <cppunit/BriefTestProgressListener.h>
#include <cppunit/extensions/TestFactoryRegistry.h>
#include <iostream>

int main(int argc, char** argv)
{
    sendsentry::log::init_stderr_only(sendsentry::log::Severity::crit);
    CppUnit::TestResult controller;
    CppUnit::TestResultCollector result;
    controller.addListener(&result);
    CppUnit::BriefTestProgressListener progress;
    controller.addListener(&progress);

    CppUnit::TestRunner runner;
    runner.addTest(CppUnit::TestFactoryRegistry::getRegistry().makeTest());
    try {
        if (argc > 1) {
            for (int i = 1; i < argc; ++i)
                runner.run(controller, argv[i]);
        } else {
            runner.run(controller);
        }
    } catch (const std::invalid_argument& e) {
        std::cerr << "unknown test: " << e.what() << '\n';
        return 2;
    }
    CppUnit::CompilerOutputter outputter(&result, std::cout);
    outputter.write();
    int failed = result.testFailuresTotal();
    std::cout << result.runTests() - failed << " passed, " << failed << " failed\n";
    return result.wasSuccessful() ? 0 : 1;
}
