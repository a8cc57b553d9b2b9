"""The #if folding that finishes what spatch cannot remove."""

import unittest

from treewide_lib.cpp_tidy import tidy

MEMBER = "struct a {\n#ifdef CONFIG_X\n\tvoid *p;\n#endif\n\tint y;\n};\n"
EMPTIED = "struct a {\n#ifdef CONFIG_X\n#endif\n\tint y;\n};\n"
TWO_FACED = "{\n#ifndef CONFIG_X\n\treturn a;\n#else\n\treturn a;\n#endif\n}\n"
TWO_FACED_BEFORE = "{\n#ifndef CONFIG_X\n\treturn a;\n#else\n\treturn b;\n#endif\n}\n"


class Tidy(unittest.TestCase):
    def test_emptied_block_goes(self):
        self.assertEqual(tidy(MEMBER, EMPTIED), "struct a {\n\tint y;\n};\n")

    def test_identical_branches_fold(self):
        self.assertEqual(tidy(TWO_FACED_BEFORE, TWO_FACED), "{\n\treturn a;\n}\n")

    def test_blocks_that_were_already_so_stay(self):
        self.assertEqual(tidy(EMPTIED, EMPTIED), EMPTIED)
        self.assertEqual(tidy(TWO_FACED, TWO_FACED), TWO_FACED)

    def test_elif_and_different_branches_stay(self):
        elif_ = "#if A\nx;\n#elif B\nx;\n#endif\n"
        self.assertEqual(tidy("", elif_), elif_)
        self.assertEqual(tidy("", TWO_FACED_BEFORE), TWO_FACED_BEFORE)

    def test_nested_block_folds_inner_only(self):
        after = "#ifdef A\nint a;\n#ifdef B\n#endif\n#endif\n"
        self.assertEqual(tidy("#ifdef A\nint a;\n#ifdef B\nint b;\n#endif\n#endif\n", after),
                         "#ifdef A\nint a;\n#endif\n")


if __name__ == "__main__":
    unittest.main()
