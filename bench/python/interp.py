"""interp.py N: a small interpreter in Python. A tokenizer and a
recursive-descent compiler turn a program in a toy language (integer
variables, + - * / % < <= ==, while, if, print) into bytecode for a
stack machine, which then runs it: it counts the primes below N by trial
division and sums the Collatz step counts of 1..N/8. Prints what the toy
program printed."""
import sys

SOURCE = """
count = 0; i = 2;
while i < n {
  j = 2; p = 1;
  while j * j <= i {
    if i % j == 0 { p = 0; j = i; }
    j = j + 1;
  }
  count = count + p;
  i = i + 1;
}
print count;
total = 0; k = 1;
while k <= n / 8 {
  x = k; steps = 0;
  while 1 < x {
    if x % 2 == 0 { x = x / 2; } else { x = 3 * x + 1; }
    steps = steps + 1;
  }
  total = total + steps;
  k = k + 1;
}
print total;
"""

# Opcodes.
PUSH, LOAD, STORE, BINOP, JUMP, JUMP_IF_ZERO, PRINT = range(7)
BINOPS = ("+", "-", "*", "/", "%", "<", "<=", "==")


def tokenize(src):
    tokens, i, n = [], 0, len(src)
    while i < n:
        ch = src[i]
        if ch.isspace():
            i += 1
        elif ch.isdigit():
            j = i
            while j < n and src[j].isdigit():
                j += 1
            tokens.append(("num", int(src[i:j])))
            i = j
        elif ch.isalpha():
            j = i
            while j < n and src[j].isalnum():
                j += 1
            word = src[i:j]
            tokens.append(("kw" if word in ("while", "if", "else", "print") else "name", word))
            i = j
        elif src.startswith("<=", i) or src.startswith("==", i):
            tokens.append(("op", src[i:i + 2]))
            i += 2
        elif ch in "+-*/%<=;{}()":
            tokens.append(("op", ch))
            i += 1
        else:
            raise SyntaxError("bad character %r" % ch)
    tokens.append(("end", None))
    return tokens


class Compiler:
    def __init__(self, tokens, names):
        self.toks, self.pos, self.code, self.names = tokens, 0, [], names

    def peek(self):
        return self.toks[self.pos]

    def take(self, want=None):
        tok = self.toks[self.pos]
        if want is not None and tok[1] != want:
            raise SyntaxError("expected %r, got %r" % (want, tok[1]))
        self.pos += 1
        return tok

    def slot(self, name):
        if name not in self.names:
            self.names[name] = len(self.names)
        return self.names[name]

    def emit(self, op, arg=None):
        self.code.append((op, arg))
        return len(self.code) - 1

    def program(self):
        while self.peek()[0] != "end":
            self.statement()
        return self.code

    def block(self):
        self.take("{")
        while self.peek()[1] != "}":
            self.statement()
        self.take("}")

    def statement(self):
        kind, val = self.peek()
        if val == "while":
            self.take()
            top = len(self.code)
            self.expr()
            jz = self.emit(JUMP_IF_ZERO, None)
            self.block()
            self.emit(JUMP, top)
            self.code[jz] = (JUMP_IF_ZERO, len(self.code))
        elif val == "if":
            self.take()
            self.expr()
            jz = self.emit(JUMP_IF_ZERO, None)
            self.block()
            if self.peek()[1] == "else":
                self.take()
                jmp = self.emit(JUMP, None)
                self.code[jz] = (JUMP_IF_ZERO, len(self.code))
                self.block()
                self.code[jmp] = (JUMP, len(self.code))
            else:
                self.code[jz] = (JUMP_IF_ZERO, len(self.code))
        elif val == "print":
            self.take()
            self.expr()
            self.emit(PRINT)
            self.take(";")
        elif kind == "name":
            self.take()
            self.take("=")
            self.expr()
            self.emit(STORE, self.slot(val))
            self.take(";")
        else:
            raise SyntaxError("unexpected %r" % (val,))

    def expr(self):  # comparisons bind loosest, then + -, then * / %
        self.sum()
        while self.peek()[1] in ("<", "<=", "=="):
            op = self.take()[1]
            self.sum()
            self.emit(BINOP, op)

    def sum(self):
        self.term()
        while self.peek()[1] in ("+", "-"):
            op = self.take()[1]
            self.term()
            self.emit(BINOP, op)

    def term(self):
        self.atom()
        while self.peek()[1] in ("*", "/", "%"):
            op = self.take()[1]
            self.atom()
            self.emit(BINOP, op)

    def atom(self):
        kind, val = self.take()
        if kind == "num":
            self.emit(PUSH, val)
        elif kind == "name":
            self.emit(LOAD, self.slot(val))
        elif val == "(":
            self.expr()
            self.take(")")
        else:
            raise SyntaxError("unexpected %r" % (val,))


def run(code, nvars, init):
    env = [0] * nvars
    for slot, value in init.items():
        env[slot] = value
    stack, out, pc, end = [], [], 0, len(code)
    push, pop = stack.append, stack.pop
    while pc < end:
        op, arg = code[pc]
        pc += 1
        if op == LOAD:
            push(env[arg])
        elif op == PUSH:
            push(arg)
        elif op == BINOP:
            b = pop()
            a = pop()
            if arg == "+":
                push(a + b)
            elif arg == "-":
                push(a - b)
            elif arg == "*":
                push(a * b)
            elif arg == "/":
                push(a // b)
            elif arg == "%":
                push(a % b)
            elif arg == "<":
                push(1 if a < b else 0)
            elif arg == "<=":
                push(1 if a <= b else 0)
            else:
                push(1 if a == b else 0)
        elif op == STORE:
            env[arg] = pop()
        elif op == JUMP_IF_ZERO:
            if pop() == 0:
                pc = arg
        elif op == JUMP:
            pc = arg
        else:
            out.append(pop())
    return out


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    names = {"n": 0}
    code = Compiler(tokenize(SOURCE), names).program()
    out = run(code, len(names), {0: n})
    print("interp %d: %d ops, printed %s" % (n, len(code), " ".join(map(str, out))))


main()
