/* quiz_cmd.h — `portsim quiz`: a scenario's questions (`ask` lines) on the
 * terminal, or a student's answers file graded. The answers come from
 * trace/quiz.h; this is the command line around them. */
#ifndef PS_QUIZ_CMD_H
#define PS_QUIZ_CMD_H

/* `portsim quiz FILE [--answers ANSWERS [--tap]] [--junit OUT.xml]
 * [--max-steps N]`. Returns an exit status (io/exit.h): 0 when every answer
 * is right, 1 otherwise, 2 for a bad scenario or answers file, 4 when the
 * JUnit file cannot be written. */
int ps_cmd_quiz(int argc, char **argv);

#endif
