package io.gatehouse.conf.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.gatehouse.conf.SourceLocation;

/**
 * One block of the evaluated config: the top level or a conditional block, with the keys assigned
 * in it (in first-assignment order) and its nested blocks (in config order).
 *
 * <p>Mutable while the evaluator fills it, read-only afterwards; not thread-safe while being filled.
 */
public final class Block {

    private final Block parent;
    private final Condition condition;
    private final List<Condition> earlierBranches;
    private final SourceLocation location;
    private final int depth;
    private final Map<String, Binding> bindings = new LinkedHashMap<>();
    private final List<Block> children = new ArrayList<>();

    /**
     * @param parent the enclosing block, null for the top level
     * @param condition this block's own condition, null for the top level and a plain {@code else}
     * @param earlierBranches the conditions of the earlier branches of this block's chain
     */
    public Block(Block parent, Condition condition, List<Condition> earlierBranches, SourceLocation location) {
        this.parent = parent;
        this.condition = condition;
        this.earlierBranches = List.copyOf(earlierBranches);
        this.location = location;
        this.depth = parent == null ? 0 : parent.depth + 1;
    }

    /** A new top-level block. */
    public static Block root(SourceLocation location) {
        return new Block(null, null, List.of(), location);
    }

    public Block parent() {
        return parent;
    }

    /** How many conditional blocks enclose this one, itself included: 0 for the top level. */
    public int depth() {
        return depth;
    }

    public boolean isRoot() {
        return parent == null;
    }

    public Condition condition() {
        return condition;
    }

    public List<Condition> earlierBranches() {
        return earlierBranches;
    }

    public SourceLocation location() {
        return location;
    }

    /** The keys assigned in this block, unmodifiable. */
    public Map<String, Binding> bindings() {
        return Collections.unmodifiableMap(bindings);
    }

    /** The blocks nested directly in this one, unmodifiable. */
    public List<Block> children() {
        return Collections.unmodifiableList(children);
    }

    /** The binding of {@code key} in this block only, or null. */
    public Binding own(String key) {
        return bindings.get(key);
    }

    /** The binding of {@code key} in this block or the nearest enclosing block that has it, or null. */
    public Binding lookup(String key) {
        for (Block block = this; block != null; block = block.parent) {
            Binding binding = block.bindings.get(key);
            if (binding != null) {
                return binding;
            }
        }
        return null;
    }

    void put(Binding binding) {
        bindings.put(binding.key(), binding);
    }

    void addChild(Block child) {
        children.add(child);
    }
}
