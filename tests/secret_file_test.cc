// read_secret_file: only a private regular file of bounded size is read.
#include "core/secret_file.hh"
#include "temp_dir.hh"

#include <cppunit/extensions/HelperMacros.h>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace sendsentry;

class SecretFileTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(SecretFileTest);
    CPPUNIT_TEST(modes_decide_what_is_read);
    CPPUNIT_TEST(oversized_missing_and_linked_files_are_refused);
    CPPUNIT_TEST_SUITE_END();

    static std::string write(const TempDir& dir, const char* name, const std::string& data, mode_t mode)
    {
        std::string path = dir.file(name);
        std::ofstream(path) << data;
        ::chmod(path.c_str(), mode);
        return path;
    }

public:
    void modes_decide_what_is_read()
    {
        TempDir dir;
        struct Case {
            const char* label;
            mode_t mode;
            bool read;
        };
        const Case cases[] = {
            { "owner only", 0600, true },
            { "group may read", 0640, true },
            { "others may read", 0644, false },
            { "others may write", 0602, false },
        };
        for (const Case& c : cases) {
            auto r = read_secret_file(write(dir, "key", "secret\n", c.mode), 1024);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, c.read, r.ok());
            if (c.read)
                CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, std::string("secret\n"), *r);
            else
                CPPUNIT_ASSERT_MESSAGE(c.label, r.error().message.find("chmod o-rwx") != std::string::npos);
        }
    }

    void oversized_missing_and_linked_files_are_refused()
    {
        TempDir dir;
        std::string big = write(dir, "big", std::string(2048, 'k'), 0600);
        CPPUNIT_ASSERT(!read_secret_file(big, 1024));
        CPPUNIT_ASSERT(read_secret_file(big, 2048));
        CPPUNIT_ASSERT(!read_secret_file(dir.file("missing"), 1024));
        std::string link = dir.file("link");
        CPPUNIT_ASSERT_EQUAL(0, ::symlink(big.c_str(), link.c_str()));
        CPPUNIT_ASSERT_MESSAGE("a symbolic link is not followed", !read_secret_file(link, 4096));
        CPPUNIT_ASSERT_MESSAGE("a directory is not a key", !read_secret_file(dir.path().string(), 4096));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(SecretFileTest);
