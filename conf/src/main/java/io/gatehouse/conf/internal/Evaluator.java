package io.gatehouse.conf.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.gatehouse.conf.ConfigException;
import io.gatehouse.conf.SourceLocation;
import io.gatehouse.conf.internal.Expression.ArrayLiteral;
import io.gatehouse.conf.internal.Expression.Concatenation;
import io.gatehouse.conf.internal.Expression.Element;
import io.gatehouse.conf.internal.Expression.IntegerLiteral;
import io.gatehouse.conf.internal.Expression.Reference;
import io.gatehouse.conf.internal.Expression.StringLiteral;
import io.gatehouse.conf.internal.Statement.Assignment;
import io.gatehouse.conf.internal.Statement.Branch;
import io.gatehouse.conf.internal.Statement.ConditionChain;
import io.gatehouse.conf.internal.Statement.Global;
import io.gatehouse.conf.internal.Statement.Include;
import io.gatehouse.conf.internal.Statement.IncludeShell;
import io.gatehouse.conf.internal.Value.ArrayValue;
import io.gatehouse.conf.internal.Value.IntValue;
import io.gatehouse.conf.internal.Value.StringValue;

/**
 * Runs parsed statements: assigns keys in blocks, evaluates expressions and references, follows
 * {@code include} and {@code include_shell}, and builds the tree of conditional blocks. What comes
 * out is untyped; {@link ConfigMapper} turns it into the model.
 *
 * <p>Not thread-safe; one instance per parse.
 */
public final class Evaluator {

    /** Includes nest; include_shell output may include itself, which only a depth bound can stop. */
    public static final int MAX_INCLUDE_DEPTH = 32;

    /** Real configs nest host, url and method conditions three deep; each level adds to every request's check. */
    public static final int MAX_CONDITION_DEPTH = 16;

    private static final SourceLocation BUILTIN = new SourceLocation("<builtin>", 0, 0);

    private final Path baseDir;
    private final Map<String, String> environment;
    private final Deque<Path> includeStack = new ArrayDeque<>();
    private final ParseBudget budget = new ParseBudget();
    private Block root;
    private boolean inGlobalBlock;

    private Evaluator(Path baseDir, Map<String, String> environment) {
        this.baseDir = baseDir;
        this.environment = environment;
    }

    /**
     * Evaluates a main config text.
     *
     * @param mainFile the real path of the main file, for include cycle detection; null for text
     * @param baseDir the directory relative includes and include_shell start from
     */
    public static Block evaluate(String text, String fileName, Path mainFile, Path baseDir,
            Map<String, String> environment) throws ConfigException {
        Evaluator evaluator = new Evaluator(baseDir, environment);
        evaluator.root = Block.root(new SourceLocation(fileName, 1, 1));
        evaluator.root.put(new Binding("var.CWD", new StringValue(System.getProperty("user.dir"), BUILTIN), BUILTIN));
        evaluator.root.put(new Binding("var.PID", new IntValue((int) ProcessHandle.current().pid(), BUILTIN), BUILTIN));
        if (mainFile != null) {
            evaluator.includeStack.push(mainFile);
        }
        List<Statement> program = Parser.parse(Lexer.tokenize(text, fileName, evaluator.budget));
        evaluator.execute(program, evaluator.root, 0);
        return evaluator.root;
    }

    private void execute(List<Statement> statements, Block block, int includeDepth) throws ConfigException {
        for (Statement statement : statements) {
            if (statement instanceof Assignment assignment) {
                assign(assignment, block);
            } else if (statement instanceof Include include) {
                include(include, block, includeDepth);
            } else if (statement instanceof IncludeShell shell) {
                includeShell(shell, block, includeDepth);
            } else if (statement instanceof Global global) {
                boolean saved = inGlobalBlock;
                inGlobalBlock = true;
                execute(global.body(), root, includeDepth);
                inGlobalBlock = saved;
            } else if (statement instanceof ConditionChain chain) {
                chain(chain, block, includeDepth);
            }
        }
    }

    private void chain(ConditionChain chain, Block block, int includeDepth) throws ConfigException {
        if (inGlobalBlock) {
            throw new ConfigException(chain.location(), "unexpected condition inside global { … },"
                    + " expected plain assignments (global blocks cannot hold conditions)");
        }
        if (block.depth() >= MAX_CONDITION_DEPTH) {
            throw new ConfigException(chain.location(), "condition nested " + (block.depth() + 1)
                    + " deep (includes counted), deeper than the limit of " + MAX_CONDITION_DEPTH
                    + ", expected a flatter config");
        }
        List<Condition> earlier = new ArrayList<>();
        for (Branch branch : chain.branches()) {
            Condition condition = null;
            if (branch.condition() != null) {
                Value pattern = evaluate(branch.condition().pattern(), block);
                if (!(pattern instanceof StringValue string)) {
                    throw new ConfigException(pattern.location(), "unexpected " + pattern.describe()
                            + " on the right of a condition, expected a string");
                }
                budget.conditional(string.value(), branch.location());
                condition = Condition.create(branch.condition(), string.value(), pattern.location());
                if (condition.opensListener() && !block.isRoot()) {
                    throw new ConfigException(condition.location(), "unexpected " + condition.text()
                            + " inside another condition, expected it at the top level (it opens a listener)");
                }
            }
            Block child = new Block(block, condition, earlier, branch.location());
            block.addChild(child);
            execute(branch.body(), child, includeDepth);
            if (condition != null) {
                earlier.add(condition);
            }
        }
    }

    private void assign(Assignment assignment, Block block) throws ConfigException {
        String key = canonicalKey(assignment.key());
        if (key.startsWith("env.")) {
            throw new ConfigException(assignment.location(), "unexpected assignment to '" + key
                    + "', expected a var.* or config key (the environment is read-only)");
        }
        Value value = evaluate(assignment.value(), block);
        switch (assignment.operator()) {
            case SET -> {
                Binding existing = block.own(key);
                if (existing != null) {
                    throw new ConfigException(assignment.location(), "duplicate config key '" + key
                            + "' (already set at " + existing.keyLocation() + "), expected ':=' to replace it"
                            + " or '+=' to append to it");
                }
            }
            case APPEND -> {
                Binding inherited = block.lookup(key);
                if (inherited != null) {
                    value = ValueOps.combine(inherited.value(), value);
                }
            }
            case REPLACE -> {
                // Replacing is always allowed.
            }
            default -> throw new IllegalStateException("operator " + assignment.operator());
        }
        Binding replaced = block.own(key);
        budget.bind(key, value, replaced == null ? null : replaced.value(), assignment.location());
        block.put(new Binding(key, value, assignment.location()));
    }

    private Value evaluate(Expression expression, Block block) throws ConfigException {
        if (expression instanceof StringLiteral literal) {
            return new StringValue(literal.value(), literal.location());
        }
        if (expression instanceof IntegerLiteral literal) {
            return new IntValue(literal.value(), literal.location());
        }
        if (expression instanceof Reference reference) {
            return dereference(reference, block);
        }
        if (expression instanceof ArrayLiteral array) {
            return array(array, block);
        }
        Concatenation concatenation = (Concatenation) expression;
        Value result = evaluate(concatenation.operands().get(0), block);
        for (Expression operand : concatenation.operands().subList(1, concatenation.operands().size())) {
            result = ValueOps.combine(result, evaluate(operand, block));
        }
        return result;
    }

    private Value dereference(Reference reference, Block block) throws ConfigException {
        String name = reference.name();
        if (name.startsWith("env.")) {
            String variable = name.substring(4);
            String value = environment.get(variable);
            if (value == null) {
                throw new ConfigException(reference.location(), "undefined environment variable '" + variable
                        + "' (env." + variable + "), expected it to be set in the environment");
            }
            return new StringValue(value, reference.location());
        }
        String key = canonicalKey(name);
        Binding binding = block.lookup(key);
        if (binding == null) {
            throw new ConfigException(reference.location(), "unknown variable '" + key
                    + "', expected a key assigned earlier in this block or an enclosing one");
        }
        return binding.value().at(reference.location());
    }

    private Value array(ArrayLiteral array, Block block) throws ConfigException {
        List<Value.Entry> entries = new ArrayList<>();
        Map<String, Value.Entry> byKey = new HashMap<>();
        for (Element element : array.elements()) {
            Value value = evaluate(element.value(), block);
            if (element.key() == null) {
                entries.add(new Value.Entry(null, null, value));
                continue;
            }
            Value keyValue = evaluate(element.key(), block);
            String key;
            if (keyValue instanceof StringValue string) {
                key = string.value();
            } else if (keyValue instanceof IntValue integer) {
                key = Integer.toString(integer.value());
            } else {
                throw new ConfigException(keyValue.location(), "unexpected " + keyValue.describe()
                        + " as an array key, expected a string");
            }
            Value.Entry previous = byKey.get(key);
            if (previous != null) {
                throw new ConfigException(keyValue.location(), "duplicate array key " + Token.quote(key)
                        + " (first at " + previous.location() + "), expected each key once");
            }
            Value.Entry entry = new Value.Entry(key, keyValue, value);
            byKey.put(key, entry);
            entries.add(entry);
        }
        // Text bounds a literal's length; its references can still hold a value many times over.
        ValueLimits.checkArray(entries.size(), ArrayValue.weightOf(entries), ArrayValue.depthOf(entries),
                array.location());
        return new ArrayValue(entries, array.location());
    }

    private void include(Include include, Block block, int includeDepth) throws ConfigException {
        String pattern = stringArgument("include", include.path(), block);
        List<Path> files;
        if (Glob.hasMagic(pattern)) {
            try {
                files = Glob.expand(pattern, baseDir);
            } catch (IOException e) {
                throw new ConfigException(include.location(), "include " + Token.quote(pattern) + " failed: " + e, e);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(include.location(), "include " + Token.quote(pattern) + " failed: "
                        + e.getMessage(), e);
            }
        } else {
            Path file = baseDir.resolve(pattern);
            if (!Files.exists(file)) {
                throw new ConfigException(include.location(), "include file not found: " + file
                        + ", expected an existing file (a glob pattern may match nothing)");
            }
            files = List.of(file);
        }
        for (Path file : files) {
            includeFile(file, include.location(), block, includeDepth);
        }
    }

    private void includeFile(Path file, SourceLocation at, Block block, int includeDepth) throws ConfigException {
        checkDepth(at, includeDepth);
        Path real;
        try {
            real = file.toRealPath();
        } catch (IOException e) {
            throw new ConfigException(at, "cannot read config file " + file + ": " + e, e);
        }
        if (includeStack.contains(real)) {
            List<Path> chain = new ArrayList<>(includeStack);
            Collections.reverse(chain);
            chain.add(real);
            throw new ConfigException(at, "include cycle: " + chain.stream().map(Path::toString)
                    .collect(Collectors.joining(" -> ")) + ", expected each file to be included once per chain");
        }
        budget.include("include of " + file, at);
        String text = ConfigFileReader.read(file, at);
        budget.includedText("include of " + file, text, at);
        List<Statement> statements = Parser.parse(Lexer.tokenize(text, file.toString(), budget));
        includeStack.push(real);
        try {
            execute(statements, block, includeDepth + 1);
        } finally {
            includeStack.pop();
        }
    }

    private void includeShell(IncludeShell shell, Block block, int includeDepth) throws ConfigException {
        checkDepth(shell.location(), includeDepth);
        String command = stringArgument("include_shell", shell.command(), block);
        String what = "include_shell " + Token.quote(command);
        budget.include(what, shell.location());
        String output = ShellInclude.run(command, baseDir, environment, shell.location());
        budget.includedText(what, output, shell.location());
        execute(Parser.parse(Lexer.tokenize(output, command, budget)), block, includeDepth + 1);
    }

    private String stringArgument(String statement, Expression expression, Block block) throws ConfigException {
        Value value = evaluate(expression, block);
        if (!(value instanceof StringValue string)) {
            throw new ConfigException(value.location(), "unexpected " + value.describe() + " after " + statement
                    + ", expected a string");
        }
        return string.value();
    }

    private static void checkDepth(SourceLocation at, int includeDepth) throws ConfigException {
        if (includeDepth >= MAX_INCLUDE_DEPTH) {
            throw new ConfigException(at, "includes nested deeper than the limit of " + MAX_INCLUDE_DEPTH
                    + ", expected a shallower include chain");
        }
    }

    /** Keys without a dot are variables: {@code foo} is {@code var.foo}, as lighttpd. */
    static String canonicalKey(String name) {
        return name.indexOf('.') < 0 ? "var." + name : name;
    }
}
